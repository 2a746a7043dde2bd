namespace Ringway.Yarp.Tests.Infrastructure;

/// <summary>Several <see cref="Backend"/>s started together and stopped together.</summary>
internal sealed class Backends : List<Backend>, IAsyncDisposable
{
    public static async Task<Backends> StartAsync(params string[] ids)
    {
        var backends = new Backends();
        backends.AddRange(await Task.WhenAll(ids.Select(Backend.StartAsync)));
        return backends;
    }

    public Backend this[string id] => this.Single(b => b.Id == id);

    public async ValueTask DisposeAsync()
    {
        foreach (var backend in this)
        {
            await backend.DisposeAsync();
        }
    }
}
