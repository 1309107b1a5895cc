from narvard.cli import main

raise SystemExit(main())
