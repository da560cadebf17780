"""Unattended scheduled crawls: configuration, leases, one run at a time per job, run history."""
