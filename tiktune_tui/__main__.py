from tiktune_tui.cli import main

raise SystemExit(main())
