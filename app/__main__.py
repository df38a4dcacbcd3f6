"""`python -m app`: start CX Lens after checking it may serve on the configured address (see app/launch.py)."""

from app.launch import main

raise SystemExit(main())
