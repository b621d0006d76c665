"""The estimator rewrite (EM101/EM102): the driver, the parameter table, one module per concern,
the run description they fill in and its ScriptRunConfig renderer (see driver.py)."""
