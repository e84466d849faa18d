"""`python -m service.calibration ...`: the same command as `python -m service calibrate ...`."""

from service.calibration.calibrate import main

raise SystemExit(main())
