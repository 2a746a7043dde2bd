namespace Ringway.LoadBalancing.AspNetCore.Admin;

/// <summary>Endpoint metadata naming an admin change endpoint, so the dashboard can find where (and whether) they are mapped.</summary>
internal sealed class ReplicaAdminOperation
{
    public static readonly ReplicaAdminOperation Add = new();
    public static readonly ReplicaAdminOperation Remove = new();

    private ReplicaAdminOperation()
    {
    }
}
