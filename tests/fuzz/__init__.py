"""The short fuzz run and what fuzzing found."""
