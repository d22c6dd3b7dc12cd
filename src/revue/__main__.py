from revue.cli import main

main()
