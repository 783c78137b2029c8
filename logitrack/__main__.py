from logitrack.cli import main

main()
