// The tests measure a real process under load on a small machine: one test at a time, so figures are not skewed by each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
