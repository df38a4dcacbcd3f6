"""Who may see and change what: users and roles (users.py), the bind-address policy (exposure.py),
login throttling (throttle.py) and the per-session checks pages and write actions call (guard.py).

Only guard.py imports Streamlit; the rest is plain Python shared with the CLI and the tests.
"""
