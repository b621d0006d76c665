"""What is done to the whole text after the rules: import upkeep, the helper functions written
for what is only known at run time, TODO comments."""
