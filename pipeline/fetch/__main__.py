from pipeline.fetch.command import main

raise SystemExit(main())
