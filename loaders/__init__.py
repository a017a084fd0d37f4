"""Loading and orchestration for the AM Explorer vendor-data pipeline.

The ``amx`` command line lives here too (``loaders.cli``): it is the Python edge of the project
(files in, database connections, running dbt and the linkage), while every SQL rule is in dbt.
"""
