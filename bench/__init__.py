"""`make bench`: a large synthetic data set and the measurements made on it.

Not part of the application: nothing outside this package imports it.
"""
