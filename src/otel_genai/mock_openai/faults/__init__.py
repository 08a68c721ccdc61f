"""Fault scenarios: the ``x-mock-scenario`` header, and the damage its body faults do to payloads."""
