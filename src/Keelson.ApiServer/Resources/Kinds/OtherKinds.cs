using System.Text.Json.Nodes;
using Keelson.ApiServer.Api.Tables;
using Keelson.ApiServer.Schema;
using static Keelson.ApiServer.Resources.Kinds.Columns;

namespace Keelson.ApiServer.Resources.Kinds;

/// <summary>Behaviour of networking, RBAC, policy, autoscaling, coordination, events, storage and scheduling kinds.</summary>
internal static class OtherKinds
{
    public static readonly KindBehavior Ingress = new()
    {
        PrepareForCreate = (o, _) => o["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            var r = 0;
            foreach (var rule in o.Obj("spec").Arr("rules").Objects())
            {
                var p = 0;
                foreach (var path in rule.Obj("http").Arr("paths").Objects())
                {
                    var at = $"spec.rules[{r}].http.paths[{p}]";
                    var type = path.Str("pathType");
                    if (type is null)
                    {
                        errors.Add(FieldError.Required($"{at}.pathType", "pathType must be specified"));
                    }
                    else if (type is not ("Exact" or "Prefix" or "ImplementationSpecific"))
                    {
                        errors.Add(FieldError.NotSupported($"{at}.pathType", path["pathType"], ["Exact", "ImplementationSpecific", "Prefix"]));
                    }

                    if (path.Obj("backend") is null)
                    {
                        errors.Add(FieldError.Required($"{at}.backend"));
                    }

                    p++;
                }

                r++;
            }
        },
        Columns =
        [
            Text("Class", o => o.Obj("spec").Str("ingressClassName") ?? "<none>", description: "The name of the IngressClass resource that should be used for ingress."),
            Text("Hosts", o =>
            {
                var hosts = o.Obj("spec").Arr("rules").Objects().Select(r => r.Str("host")).Where(h => !string.IsNullOrEmpty(h)).ToList();
                return hosts.Count == 0 ? "*" : string.Join(",", hosts);
            }, description: "Hosts that incoming requests are matched against before the ingress rule"),
            Text("Address", o => string.Join(",", o.Obj("status")?.Obj("loadBalancer").Arr("ingress").Objects().Select(i => i.Str("ip") ?? i.Str("hostname")) ?? []), description: "Address is a list containing ingress points for the load-balancer"),
            Text("Ports", o => o.Obj("spec").Arr("tls") is { Count: > 0 } ? "80, 443" : "80", description: "Ports of TLS configurations that open"),
            Age,
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior IngressClass = new()
    {
        Validate = (o, old, errors) => Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors),
        Columns =
        [
            Text("Controller", o => o.Obj("spec").Str("controller"), description: "Controller that is responsible for handling this class"),
            Text("Parameters", o => o.Obj("spec")?.Obj("parameters") is { } p ? $"{p.Str("kind")}/{p.Str("name")}" : "<none>", description: "A reference to a resource with additional parameters"),
            Age,
        ],
        TopLevelFields = Top("spec"),
    };

    public static readonly KindBehavior NetworkPolicy = new()
    {
        Default = (o, _) =>
        {
            var spec = o.Ensure("spec");
            foreach (var direction in new[] { "ingress", "egress" })
            {
                foreach (var rule in spec.Arr(direction).Objects())
                {
                    foreach (var port in rule.Arr("ports").Objects())
                    {
                        port.DefaultString("protocol", "TCP");
                    }
                }
            }

            if (spec.Arr("policyTypes") is not { Count: > 0 })
            {
                var types = new JsonArray("Ingress");
                if (spec.Arr("egress") is { Count: > 0 })
                {
                    types.Add("Egress");
                }

                spec["policyTypes"] = types;
            }
        },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            if (o.Obj("spec")?["podSelector"] is null)
            {
                errors.Add(FieldError.Required("spec.podSelector"));
            }
        },
        Columns = [Text("Pod-Selector", o => Cells.Selector(o.Obj("spec")?.Obj("podSelector")) is "<none>" ? "<none>" : Cells.Selector(o.Obj("spec")?.Obj("podSelector")), description: "Selects the pods to which this NetworkPolicy object applies."), Age],
        TopLevelFields = Top("spec"),
    };

    public static readonly KindBehavior Role = new()
    {
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.PathSegment, errors);
            var i = 0;
            foreach (var rule in o.Arr("rules").Objects())
            {
                if (rule.Arr("verbs") is not { Count: > 0 })
                {
                    errors.Add(FieldError.Required($"rules[{i}].verbs", "verbs must contain at least one value"));
                }

                i++;
            }
        },
        Columns = [CreatedAt],
        TopLevelFields = Top("rules", "aggregationRule"),
    };

    public static readonly KindBehavior RoleBinding = new()
    {
        Default = (o, _) =>
        {
            foreach (var subject in o.Arr("subjects").Objects())
            {
                if (string.IsNullOrEmpty(subject.Str("apiGroup")) && subject.Str("kind") is "User" or "Group")
                {
                    subject["apiGroup"] = "rbac.authorization.k8s.io";
                }
            }
        },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.PathSegment, errors);
            var roleRef = o.Obj("roleRef");
            if (string.IsNullOrEmpty(roleRef.Str("name")))
            {
                errors.Add(FieldError.Required("roleRef.name"));
            }

            if (roleRef.Str("kind") is not ("Role" or "ClusterRole"))
            {
                errors.Add(FieldError.NotSupported("roleRef.kind", roleRef?["kind"], ["ClusterRole", "Role"]));
            }

            if (old is not null && !JsonNode.DeepEquals(old["roleRef"], o["roleRef"]))
            {
                errors.Add(FieldError.Invalid("roleRef", o["roleRef"], "cannot change roleRef"));
            }
        },
        Columns =
        [
            Text("Role", o => $"{o.Obj("roleRef").Str("kind")}/{o.Obj("roleRef").Str("name")}", description: "Role is the role being bound to subjects"),
            Age,
            Text("Users", o => Subjects(o, "User"), 1, "Users in the binding"),
            Text("Groups", o => Subjects(o, "Group"), 1, "Groups in the binding"),
            Text("ServiceAccounts", o => string.Join(", ", o.Arr("subjects").Objects().Where(s => s.Str("kind") == "ServiceAccount").Select(s => $"{s.Str("namespace")}/{s.Str("name")}")), 1, "ServiceAccounts in the binding"),
        ],
        TopLevelFields = Top("subjects", "roleRef"),
    };

    public static readonly KindBehavior PodDisruptionBudget = new()
    {
        PrepareForCreate = (o, _) => o["status"] = new JsonObject
        {
            ["currentHealthy"] = 0,
            ["desiredHealthy"] = 0,
            ["disruptionsAllowed"] = 0,
            ["expectedPods"] = 0,
        },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            var spec = o.Obj("spec");
            if (spec?["minAvailable"] is not null && spec["maxUnavailable"] is not null)
            {
                errors.Add(FieldError.Invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"));
            }
        },
        Columns =
        [
            Text("Min Available", o => o.Obj("spec")?["minAvailable"] is { } v ? JsonPath.Text(v) : "N/A", description: "The minimum number of pods that must be available"),
            Text("Max Unavailable", o => o.Obj("spec")?["maxUnavailable"] is { } v ? JsonPath.Text(v) : "N/A", description: "The maximum number of pods that may be unavailable"),
            Number("Allowed Disruptions", o => o.Obj("status").Int("disruptionsAllowed"), description: "Calculated number of pods that may be disrupted at this time"),
            Age,
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior HorizontalPodAutoscaler = new()
    {
        Default = (o, _) =>
        {
            var spec = o.Ensure("spec");
            spec.Default("minReplicas", 1);
            if (spec.Arr("metrics") is not { Count: > 0 })
            {
                spec["metrics"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Resource",
                    ["resource"] = new JsonObject
                    {
                        ["name"] = "cpu",
                        ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 80 },
                    },
                });
            }

            if (spec.Obj("behavior") is { } behavior)
            {
                var up = behavior.Ensure("scaleUp");
                up.Default("stabilizationWindowSeconds", 0);
                up.DefaultString("selectPolicy", "Max");
                up.Default("policies", new JsonArray(
                    new JsonObject { ["type"] = "Pods", ["value"] = 4, ["periodSeconds"] = 15 },
                    new JsonObject { ["type"] = "Percent", ["value"] = 100, ["periodSeconds"] = 15 }));
                var down = behavior.Ensure("scaleDown");
                down.DefaultString("selectPolicy", "Max");
                down.Default("policies", new JsonArray(new JsonObject { ["type"] = "Percent", ["value"] = 100, ["periodSeconds"] = 15 }));
            }
        },
        PrepareForCreate = (o, _) => o["status"] = new JsonObject { ["currentMetrics"] = null, ["desiredReplicas"] = 0 },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            var spec = o.Obj("spec");
            if (spec.Int("maxReplicas") is not > 0)
            {
                errors.Add(FieldError.Invalid("spec.maxReplicas", spec?["maxReplicas"], "must be greater than 0"));
            }

            if (spec.Obj("scaleTargetRef") is not { } target || string.IsNullOrEmpty(target.Str("kind")) || string.IsNullOrEmpty(target.Str("name")))
            {
                errors.Add(FieldError.Required("spec.scaleTargetRef"));
            }
        },
        Columns =
        [
            Text("Reference", o => $"{o.Obj("spec")?.Obj("scaleTargetRef").Str("kind")}/{o.Obj("spec")?.Obj("scaleTargetRef").Str("name")}", description: "Reference to the scaled object"),
            Text("Targets", o => string.Join(", ", o.Obj("spec").Arr("metrics").Objects().Select(m =>
                m.Obj("resource")?.Obj("target").Int("averageUtilization") is { } u ? $"{m.Obj("resource").Str("name")}: <unknown>/{u}%" : "<unknown>")), description: "Current and target metric values"),
            Number("MinPods", o => o.Obj("spec").Int("minReplicas"), description: "Lower limit for the number of pods"),
            Number("MaxPods", o => o.Obj("spec").Int("maxReplicas"), description: "Upper limit for the number of pods"),
            Number("Replicas", o => o.Obj("status").Int("currentReplicas"), description: "Current number of replicas"),
            Age,
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior Lease = new()
    {
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            if (o.Obj("spec").Int("leaseDurationSeconds") is <= 0)
            {
                errors.Add(FieldError.Invalid("spec.leaseDurationSeconds", o.Obj("spec")!["leaseDurationSeconds"], "must be greater than 0"));
            }
        },
        Columns = [Text("Holder", o => o.Obj("spec").Str("holderIdentity") ?? "", description: "The holder of the lease"), Age],
        TopLevelFields = Top("spec"),
    };

    public static readonly KindBehavior EventV1 = new()
    {
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.None, errors);
            if (o["eventTime"] is null)
            {
                errors.Add(FieldError.Required("eventTime"));
            }

            if (string.IsNullOrEmpty(o.Str("reportingController")))
            {
                errors.Add(FieldError.Required("reportingController"));
            }

            if (string.IsNullOrEmpty(o.Str("reportingInstance")))
            {
                errors.Add(FieldError.Required("reportingInstance"));
            }

            if (o.Str("type") is { } type && type is not ("Normal" or "Warning"))
            {
                errors.Add(FieldError.NotSupported("type", o["type"], ["Normal", "Warning"]));
            }

            if ((o.Str("note")?.Length ?? 0) > 1024)
            {
                errors.Add(FieldError.TooLong("note", 1024));
            }
        },
        // Selectors are evaluated on the stored core/v1 Event, so the events.k8s.io names map to core ones.
        FieldLabels = Fields(
            ("regarding.kind", o => o.Obj("involvedObject").Str("kind")),
            ("regarding.namespace", o => o.Obj("involvedObject").Str("namespace")),
            ("regarding.name", o => o.Obj("involvedObject").Str("name")),
            ("regarding.uid", o => o.Obj("involvedObject").Str("uid")),
            ("regarding.apiVersion", o => o.Obj("involvedObject").Str("apiVersion")),
            ("regarding.resourceVersion", o => o.Obj("involvedObject").Str("resourceVersion")),
            ("regarding.fieldPath", o => o.Obj("involvedObject").Str("fieldPath")),
            ("reason", o => o.Str("reason")),
            ("reportingController", o => o.Str("reportingComponent")),
            ("type", o => o.Str("type"))),
        Columns =
        [
            Timed("Last Seen", (o, now) => Cells.Since(o.Obj("series").Str("lastObservedTime") ?? o.Str("eventTime") ?? o.Obj("metadata").Str("creationTimestamp"), now), description: "Time since the event was last seen"),
            Text("Type", o => o.Str("type"), description: "Type of this event"),
            Text("Reason", o => o.Str("reason"), description: "Reason for this event"),
            Text("Object", o => $"{o.Obj("regarding").Str("kind")?.ToLowerInvariant()}/{o.Obj("regarding").Str("name")}", description: "The object this event is about"),
            Text("Message", o => o.Str("note"), description: "The event message"),
        ],
        TopLevelFields = Top("eventTime", "series", "reportingController", "reportingInstance", "action", "reason", "regarding", "related",
            "note", "type", "deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount"),
    };

    public static readonly KindBehavior StorageClass = new()
    {
        Default = (o, _) =>
        {
            o.DefaultString("reclaimPolicy", "Delete");
            o.DefaultString("volumeBindingMode", "Immediate");
        },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            if (string.IsNullOrEmpty(o.Str("provisioner")))
            {
                errors.Add(FieldError.Required("provisioner"));
            }

            if (old is not null && old.Str("provisioner") != o.Str("provisioner"))
            {
                errors.Add(FieldError.Invalid("provisioner", o.Str("provisioner") ?? "", "updates to provisioner are forbidden."));
            }
        },
        Columns =
        [
            Text("Provisioner", o => o.Str("provisioner"), description: "Indicates the type of the provisioner."),
            Text("ReclaimPolicy", o => o.Str("reclaimPolicy"), description: "Indicates the type of the reclaim policy."),
            Text("VolumeBindingMode", o => o.Str("volumeBindingMode"), description: "Indicates how PersistentVolumeClaims should be provisioned and bound."),
            Text("AllowVolumeExpansion", o => o.Bool("allowVolumeExpansion") == true ? "true" : "false", description: "Indicates whether the storage class allow volume expand."),
            Age,
        ],
        TopLevelFields = Top("provisioner", "parameters", "reclaimPolicy", "mountOptions", "allowVolumeExpansion", "volumeBindingMode", "allowedTopologies"),
    };

    public static readonly KindBehavior PriorityClass = new()
    {
        Default = (o, _) => o.DefaultString("preemptionPolicy", "PreemptLowerPriority"),
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            if (o["value"] is null)
            {
                errors.Add(FieldError.Required("value"));
            }

            if (old is not null && !JsonNode.DeepEquals(old["value"], o["value"]))
            {
                errors.Add(FieldError.Forbidden("value", "may not be changed in an update."));
            }
        },
        Columns =
        [
            Number("Value", o => o.Int("value"), description: "The value of this priority class."),
            Text("Global-Default", o => o.Bool("globalDefault") == true ? "true" : "false", description: "globalDefault specifies whether this PriorityClass should be considered as the default priority."),
            Age,
            Text("PreemptionPolicy", o => o.Str("preemptionPolicy"), description: "PreemptionPolicy is the Policy for preempting pods with lower priority."),
        ],
        TopLevelFields = Top("value", "globalDefault", "description", "preemptionPolicy"),
    };

    private static string Subjects(JsonObject o, string kind) =>
        string.Join(", ", o.Arr("subjects").Objects().Where(s => s.Str("kind") == kind).Select(s => s.Str("name")));

}
