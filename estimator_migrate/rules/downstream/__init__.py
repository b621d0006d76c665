"""Rules that follow a migrated estimator to where it is used: HyperDrive, submit overrides,
pipeline steps, attribute edits (spec §8)."""
