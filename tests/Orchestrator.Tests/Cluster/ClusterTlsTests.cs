using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GptBench.Analysis.Store;

namespace GptBench.Orchestrator.Tests.Cluster;

/// <summary>
/// TLS between nodes as README "Several machines" sets it up: every node presents a certificate signed
/// by a CA it trusts (mutual authentication, validation on). Nodes without TLS, or without the CA, get nowhere.
/// </summary>
[Collection(ClusterCollection.Name)]
public class ClusterTlsTests
{
    [Fact]
    public void Nodes_with_certificates_from_a_trusted_ca_run_a_sweep_and_others_are_refused()
    {
        using var certs = new TempFolder();
        var (pfx, caPem) = WriteCertificates(certs);
        var tlsConf = certs.Write("tls.conf", $$"""
            akka.remote.dot-netty.tcp {
              enable-ssl = true
              ssl.certificate { path = "{{pfx}}", password = "test-only" }
            }
            """);
        // .NET on Linux takes its trusted roots from SSL_CERT_FILE when set: here, our CA only.
        var trustingCa = new Dictionary<string, string> { ["SSL_CERT_FILE"] = caPem };
        using var nodes = new ClusterNodes(trustingCa, "--akka-config", tlsConf);
        var serve = nodes.Serve();
        nodes.Worker();

        var submit = nodes.Submit();
        Assert.True(submit.WaitForExit(TimeSpan.FromMinutes(3)) == 0, $"submit:\n{submit.Output}\nserve:\n{serve.Output}");

        var plaintext = nodes.Start(["submit", nodes.ExperimentFile, "--to", nodes.Coordinator, "--plain", "--wait", "3"]);
        Assert.Equal(1, plaintext.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("no coordinator answered", plaintext.Output);

        var untrusting = nodes.Start(["submit", nodes.ExperimentFile, "--to", nodes.Coordinator, "--plain", "--wait", "3", "--akka-config", tlsConf],
            new Dictionary<string, string> { ["SSL_CERT_FILE"] = certs.Write("empty.pem", "") });
        Assert.Equal(1, untrusting.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("shut itself down", untrusting.Output);

        serve.Interrupt();
        Assert.Equal(0, serve.WaitForExit(TimeSpan.FromSeconds(30)));
        using var store = new ResultStore(nodes.Db, readOnly: true);
        ClusterNodes.AssertEveryTrialStoredOnce(store);
    }

    /// <summary>A CA and one node certificate it signed (for 127.0.0.1, server and client use), as a PFX and the CA as PEM.</summary>
    static (string Pfx, string CaPem) WriteCertificates(TempFolder folder)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=gptbench test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var nodeKey = RSA.Create(2048);
        var nodeRequest = new CertificateRequest("CN=gptbench node", nodeKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        nodeRequest.CertificateExtensions.Add(names.Build());
        nodeRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
        using var signed = nodeRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4]);
        using var node = signed.CopyWithPrivateKey(nodeKey);

        var pfx = Path.Combine(folder.Root, "node.pfx");
        File.WriteAllBytes(pfx, node.Export(X509ContentType.Pfx, "test-only"));
        return (pfx, folder.Write("ca.pem", ca.ExportCertificatePem()));
    }
}
