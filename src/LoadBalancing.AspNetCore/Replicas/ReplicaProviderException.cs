namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>A replica provider could not do what was asked; the message is safe to show to API callers.</summary>
public sealed class ReplicaProviderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReplicaProviderException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ReplicaProviderException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception.</summary>
    public ReplicaProviderException() { }
}
