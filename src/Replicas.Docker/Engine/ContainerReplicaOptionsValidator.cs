using Microsoft.Extensions.Options;

namespace Ringway.Replicas.Docker;

/// <summary>Validates the provider options on start, naming every invalid setting.</summary>
internal sealed class ContainerReplicaOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : ContainerReplicaOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
