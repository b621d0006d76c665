"""The file layer: finding files, reading each once (the prefilter rules out files that cannot
spell azureml), byte-faithful decoding and atomic writes, notebooks, the process pool. Importing
this package imports nothing else: a tree without estimators stays light."""
