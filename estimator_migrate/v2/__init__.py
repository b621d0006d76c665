"""Building blocks of the SDK v2 target (``--target v2``, issue 14).

Each module turns one v1 concern into azure-ai-ml code *text*, with no knowledge of the engine:
the renderer that walks the user's code gives them values or code text and writes out what they
return. None of them imports an Azure ML SDK (the SDKs are test dependencies); every one is proven
against the real SDKs in tests/test_v2_blocks_*.py.

* ``names``       v1 data names, flags and search keys -> unique v2 identifiers (V4, V30)
* ``command``     v1 argv items -> the v2 command string, or code that builds it at run time (V1, V3, V6)
* ``data``        DataReferences, datastores, datasets, outputs -> ``Input``/``Output`` code (V24, V25, V28)
* ``resources``   distributed_job_config / DockerConfiguration -> distribution, instance_count, shm_size (V8..V12)
* ``conda``       v1 ``CondaDependencies`` operations, transliterated to plain Python
* ``environment`` the environment an estimator built -> ``Environment(image=..., conda_file={...})`` (V5, V7, V15)
* ``sweep``       HyperDrive parameter expressions, sampling, policies, limits -> ``.sweep(...)`` (V29..V33)
* ``client``      Workspace / Experiment / Run / compute calls -> MLClient calls, and the run APIs v2 lacks
* ``helpers``     functions written into migrated files for what is only known at run time
* ``script_scan`` the training scripts of migrated jobs, read (by a reader the file layer gives) for the
                  v1 run context a v2 job lacks (EM507)
* ``snippet``     what they return: code text, the imports it needs, what must be reported
"""
