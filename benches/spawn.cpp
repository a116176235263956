// Being written (bench families): replaced by the family implementation.
