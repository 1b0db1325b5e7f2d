"""Analytics for Chinese administrative-enforcement statistics (行政执法数据).

The package is organised as a one-way flow, raw -> processed -> outputs:

- ``catalog``   : indicator, region and column-map catalogues (data files in ``catalogs/``)
- ``findings``  : the quality-report model (one row per finding)
- ``ingest``    : raw files -> tidy facts (one row per figure, traceable to its cell)
- ``validate``  : pandera schema and domain rules over the tidy facts
- ``pipeline``  : the ``enforcement clean`` orchestration
- statistics, charts, narrative and the report runner build on those.
"""

__version__ = "0.1.0"
