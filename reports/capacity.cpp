// Being written (reports issue): replaced by the implementation.
