// An ordinary YARP gateway that routes by key: the routes, the cluster, its RendezvousHash policy and the policy's
// settings are all in appsettings.json ("ReverseProxy"), reloaded when the file changes. AddConsistentHashing() is the
// one line Ringway adds. Start three servers first (README, "Already on YARP?"), then: dotnet run --project samples/YarpGateway
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddReverseProxy()
                .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
                .AddConsistentHashing();

var app = builder.Build();
app.MapReverseProxy();
app.Run();
