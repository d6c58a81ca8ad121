from dlcheck.cli import main

if __name__ == "__main__":  # not when a Dask or multiprocessing child re-imports it
    main()
