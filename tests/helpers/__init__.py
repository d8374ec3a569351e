"""Write small real activity histories (FIT files) and diaries for tests; speed profiles for run typing."""
