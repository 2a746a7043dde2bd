// The Docker tests replay the admin cases of the corpus against the sample host with container replicas
// (tests/Replicas.Docker.Tests/Hostile), with these same helpers: HostileCase, HostileReplay, SampleHost.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Ringway.Replicas.Docker.Tests")]
