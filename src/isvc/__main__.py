from isvc.cli.entry import main

main()
