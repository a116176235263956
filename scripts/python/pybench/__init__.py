"""primbench's CPython programs: what Python's concurrency primitives cost,
measured in the same shape and under the same names (prefixed py/) as the
native benches, on the PUs the primbench harness assigns.

Standard library only. The entry point is scripts/python/primbench_py.py.
"""
