using System.Text;

namespace Keelson.Testing;

/// <summary>Helm repository index.yaml files for tests and benchmarks.</summary>
public static class HelmIndexes
{
    /// <summary>An index shaped as large public repositories publish theirs: every version with its full metadata.</summary>
    public static string Large(int charts, int versions)
    {
        var text = new StringBuilder("apiVersion: v1\nentries:\n");
        for (var c = 0; c < charts; c++)
        {
            text.Append("  chart-").Append(c).Append(":\n");
            for (var v = versions; v > 0; v--)
            {
                text.Append($$"""
                      - annotations:
                          category: Infrastructure
                          images: |
                            - name: app
                              image: docker.io/example/app:{{v}}.0.0-debian-12-r0
                          licenses: Apache-2.0
                        apiVersion: v2
                        appVersion: {{v}}.0.0
                        created: "2024-05-01T10:00:00.000000000Z"
                        dependencies:
                        - name: common
                          repository: oci://registry-1.docker.io/bitnamicharts
                          tags: [bitnami-common]
                          version: 2.x.x
                        description: Chart {{c}} packages an application that serves requests for a long time.
                        digest: 8b9c7c6f0e2c1a6a4b6e5d0f3b2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f{{c % 10}}{{v % 10}}3b
                        home: https://example.com/charts/chart-{{c}}
                        icon: https://example.com/charts/chart-{{c}}/icon.svg
                        keywords: [web, http, server, application]
                        maintainers:
                        - name: Example
                          url: https://github.com/example/charts
                        name: chart-{{c}}
                        sources: [https://github.com/example/charts/tree/main/chart-{{c}}]
                        urls:
                        - https://charts.example.com/chart-{{c}}-{{v}}.0.0.tgz
                        version: {{v}}.0.0

                    """);
            }
        }

        return text.Append("generated: \"2024-05-01T10:00:00Z\"\n").ToString();
    }
}
