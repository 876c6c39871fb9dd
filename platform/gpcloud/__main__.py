from gpcloud.cli import main

main()
