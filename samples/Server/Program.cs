// The assignment's server replica: GET /home names the replica, GET /heartbeat answers empty, anything else 404.
// Its id comes from SERVER_ID; it listens on port 5000 unless PORT, --port or --urls says otherwise.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var serverId = builder.Configuration["SERVER_ID"] ?? Environment.MachineName;
if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
{
    var port = builder.Configuration["port"] ?? builder.Configuration["PORT"] ?? "5000";
    builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
}

var app = builder.Build();

app.MapGet("/home", () => Results.Json(new HomeResponse($"Hello from Server: {serverId}", "successful"), ServerJson.Default.HomeResponse));
app.MapGet("/heartbeat", () => Results.Ok());

app.Run();

internal sealed record HomeResponse(string message, string status);

[System.Text.Json.Serialization.JsonSerializable(typeof(HomeResponse))]
internal sealed partial class ServerJson : System.Text.Json.Serialization.JsonSerializerContext;
