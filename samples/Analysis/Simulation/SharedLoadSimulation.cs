using Ringway.ConsistentHashing;

namespace Ringway.Samples.Analysis.Simulation;

/// <summary>
/// A-5 (c): three balancers in front of the same replicas, each taking every third request of the Zipf stream, all
/// with bounded loads. Either each bounds on its own requests in flight, or on the load the replicas report (the
/// replica's requests in flight from every balancer, sent back with each response, <see cref="ReportedLoad"/>).
/// Optionally the first replica also serves <c>external</c> requests in flight that no balancer routes (a batch job,
/// direct clients): its report includes them, a balancer's own count cannot. The load compared is the time-averaged
/// number of requests in flight at each replica, external ones included.
/// </summary>
internal static class SharedLoadSimulation
{
    public const int Balancers = 3;

    public static SchemeResult Run(string scheme, HotKeySettings settings, ZipfKeys keys, int[] stream, double factor, bool shared, int external = 0)
    {
        var hash = HotKeySimulation.Replicas(settings);
        var tally = new Tally(hash, keys);
        var placements = Enumerable.Range(0, Balancers).Select(_ => new LoadAwarePlacement(new LoadAwareOptions { BoundedLoadFactor = factor })).ToArray();
        var local = Enumerable.Range(0, Balancers).Select(_ => new int[settings.Replicas]).ToArray();
        var reported = Enumerable.Range(0, Balancers).Select(_ => Enumerable.Range(0, settings.Replicas).Select(_ => new ReportedLoad()).ToArray()).ToArray();
        var atReplica = new InFlightWindow(settings.Replicas, settings.InFlight);
        var sentBy = new int[settings.InFlight];
        var loads = new int[settings.Replicas];
        var inFlight = new long[settings.Replicas];
        for (var i = 0; i < stream.Length; i++)
        {
            var now = settings.TimeOf(i);

            // The oldest request is answered; its response carries the replica's load (itself still counted).
            var slot = atReplica.OldestSlot;
            var finished = atReplica.Oldest;
            if (finished >= 0)
            {
                var by = sentBy[slot];
                reported[by][finished].Report(atReplica.Loads[finished] + (finished == 0 ? external : 0), local[by][finished], now);
                local[by][finished]--;
            }
            atReplica.Finish();

            var balancer = i % Balancers;
            for (var r = 0; r < loads.Length; r++)
            {
                loads[r] = shared ? reported[balancer][r].Estimate(local[balancer][r], now, ReportedLoad.DefaultMaxAge) : local[balancer][r];
            }

            var key = stream[i];
            var replica = placements[balancer].GetNodeIndex(hash, keys.Names[key], loads, now);
            atReplica.Send(replica);
            local[balancer][replica]++;
            sentBy[slot] = balancer;
            if (i < settings.WarmUpRequests) continue;
            tally.Count(key, replica);
            for (var r = 0; r < inFlight.Length; r++) inFlight[r] += atReplica.Loads[r] + (r == 0 ? external : 0);
        }

        return tally.Result(scheme, HotKeySimulation.PeakToMean(inFlight));
    }
}
