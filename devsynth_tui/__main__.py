from devsynth_tui.cli import main

raise SystemExit(main())
