using System.Globalization;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Api.Tables;
using Keelson.ApiServer.Schema;
using static Keelson.ApiServer.Resources.Kinds.Columns;

namespace Keelson.ApiServer.Resources.Kinds;

/// <summary>Behaviour of apps/v1 and batch/v1 workloads.</summary>
internal static class WorkloadKinds
{
    private static JsonObject? PodSpec(JsonObject o) => o.Obj("spec")?.Obj("template")?.Obj("spec");

    public static readonly KindBehavior Deployment = new()
    {
        Default = (o, _) =>
        {
            var spec = o.Ensure("spec");
            spec.Default("replicas", 1);
            var strategy = spec.Ensure("strategy");
            strategy.DefaultString("type", "RollingUpdate");
            if (strategy.Str("type") == "RollingUpdate")
            {
                var rolling = strategy.Ensure("rollingUpdate");
                rolling.Default("maxUnavailable", "25%");
                rolling.Default("maxSurge", "25%");
            }

            spec.Default("revisionHistoryLimit", 10);
            spec.Default("progressDeadlineSeconds", 600);
            PodTemplates.DefaultTemplate(spec.Obj("template"));
        },
        PrepareForCreate = (o, _) => o["status"] = new JsonObject(),
        Validate = (o, old, errors) => ValidateWorkload(o, old, errors, replicasRequired: true),
        Columns =
        [
            Text("Ready", o => $"{o.Obj("status").Int("readyReplicas") ?? 0}/{o.Obj("spec").Int("replicas") ?? 0}", description: "Number of the pod with ready state"),
            Number("Up-to-date", o => o.Obj("status").Int("updatedReplicas"), description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            Number("Available", o => o.Obj("status").Int("availableReplicas"), description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
            Age,
            ContainersOf(PodSpec),
            ImagesOf(PodSpec),
            Text("Selector", o => Cells.Selector(o.Obj("spec")?.Obj("selector")), 1, "Label selector for pods."),
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior ReplicaSet = new()
    {
        Default = (o, _) =>
        {
            var spec = o.Ensure("spec");
            spec.Default("replicas", 1);
            PodTemplates.DefaultTemplate(spec.Obj("template"));
        },
        PrepareForCreate = (o, _) => o["status"] = new JsonObject { ["replicas"] = 0 },
        Validate = (o, old, errors) => ValidateWorkload(o, old, errors, replicasRequired: true),
        FieldLabels = Fields(("status.replicas", o => (o.Obj("status").Int("replicas") ?? 0).ToString(CultureInfo.InvariantCulture))),
        Columns =
        [
            Number("Desired", o => o.Obj("spec").Int("replicas"), description: "Number of desired pods."),
            Number("Current", o => o.Obj("status").Int("replicas"), description: "Number of actual pods."),
            Number("Ready", o => o.Obj("status").Int("readyReplicas"), description: "Number of ready pods."),
            Age,
            ContainersOf(PodSpec),
            ImagesOf(PodSpec),
            Text("Selector", o => Cells.Selector(o.Obj("spec")?.Obj("selector")), 1, "Label selector for pods."),
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior StatefulSet = new()
    {
        Default = (o, _) =>
        {
            var spec = o.Ensure("spec");
            spec.Default("replicas", 1);
            spec.DefaultString("podManagementPolicy", "OrderedReady");
            var strategy = spec.Ensure("updateStrategy");
            strategy.DefaultString("type", "RollingUpdate");
            if (strategy.Str("type") == "RollingUpdate")
            {
                strategy.Ensure("rollingUpdate").Default("partition", 0);
            }

            spec.Default("revisionHistoryLimit", 10);
            var retention = spec.Ensure("persistentVolumeClaimRetentionPolicy");
            retention.DefaultString("whenDeleted", "Retain");
            retention.DefaultString("whenScaled", "Retain");
            PodTemplates.DefaultTemplate(spec.Obj("template"));
            foreach (var claim in spec.Arr("volumeClaimTemplates").Objects())
            {
                claim.DefaultString("apiVersion", "v1");
                claim.DefaultString("kind", "PersistentVolumeClaim");
                var meta = claim.Ensure("metadata");
                if (!meta.ContainsKey("creationTimestamp"))
                {
                    meta["creationTimestamp"] = null;
                }

                claim.Ensure("spec").DefaultString("volumeMode", "Filesystem");
                claim.Ensure("status").DefaultString("phase", "Pending");
            }
        },
        PrepareForCreate = (o, _) => o["status"] = new JsonObject { ["availableReplicas"] = 0, ["replicas"] = 0 },

        // The spec-wide rule below covers the selector too, so the selector gets no error of its own (as upstream).
        Validate = (o, old, errors) => ValidateWorkload(o, old, errors, replicasRequired: true, selectorImmutable: false),
        ValidateUpdate = ValidateStatefulSetUpdate,
        Columns =
        [
            Text("Ready", o => $"{o.Obj("status").Int("readyReplicas") ?? 0}/{o.Obj("spec").Int("replicas") ?? 0}", description: "Number of the pod with ready state"),
            Age,
            ContainersOf(PodSpec),
            ImagesOf(PodSpec),
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior DaemonSet = new()
    {
        Default = (o, _) =>
        {
            var spec = o.Ensure("spec");
            var strategy = spec.Ensure("updateStrategy");
            strategy.DefaultString("type", "RollingUpdate");
            if (strategy.Str("type") == "RollingUpdate")
            {
                var rolling = strategy.Ensure("rollingUpdate");
                rolling.Default("maxUnavailable", 1);
                rolling.Default("maxSurge", 0);
            }

            spec.Default("revisionHistoryLimit", 10);
            PodTemplates.DefaultTemplate(spec.Obj("template"));
        },
        PrepareForCreate = (o, _) => o["status"] = new JsonObject
        {
            ["currentNumberScheduled"] = 0,
            ["desiredNumberScheduled"] = 0,
            ["numberMisscheduled"] = 0,
            ["numberReady"] = 0,
        },
        Validate = (o, old, errors) => ValidateWorkload(o, old, errors, replicasRequired: false),
        Columns =
        [
            Number("Desired", o => o.Obj("status").Int("desiredNumberScheduled"), description: "The total number of nodes that should be running the daemon pod."),
            Number("Current", o => o.Obj("status").Int("currentNumberScheduled"), description: "The number of nodes that are running at least 1 daemon pod."),
            Number("Ready", o => o.Obj("status").Int("numberReady"), description: "The number of nodes that should be running the daemon pod and have one or more running and ready."),
            Number("Up-to-date", o => o.Obj("status").Int("updatedNumberScheduled"), description: "The total number of nodes that are running updated daemon pod"),
            Number("Available", o => o.Obj("status").Int("numberAvailable"), description: "The number of nodes that should be running the daemon pod and have one or more running and available."),
            Text("Node Selector", o => Cells.MapSelector(PodSpec(o)?.Obj("nodeSelector")), description: "NodeSelector is a selector which must be true for the pod to fit on a node."),
            Age,
            ContainersOf(PodSpec),
            ImagesOf(PodSpec),
            Text("Selector", o => Cells.Selector(o.Obj("spec")?.Obj("selector")), 1, "A label query over pods that are managed by the daemon set."),
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior Job = new()
    {
        Default = (o, _) =>
        {
            var spec = o.Ensure("spec");
            if (spec["completions"] is null && spec["parallelism"] is null)
            {
                spec["completions"] = 1;
                spec["parallelism"] = 1;
            }

            spec.Default("parallelism", 1);
            spec.Default("backoffLimit", spec["backoffLimitPerIndex"] is null ? 6 : int.MaxValue);
            spec.DefaultString("completionMode", "NonIndexed");
            spec.Default("suspend", false);
            spec.DefaultString("podReplacementPolicy", spec["podFailurePolicy"] is null ? "TerminatingOrFailed" : "Failed");
            var meta = o.Ensure("metadata");
            if (meta.Obj("labels") is not { Count: > 0 } && spec.Obj("template")?.Obj("metadata")?.Obj("labels") is { Count: > 0 } templateLabels)
            {
                meta["labels"] = templateLabels.DeepClone();
            }

            PodTemplates.DefaultTemplate(spec.Obj("template"));
        },
        PrepareForCreate = (o, _) =>
        {
            // Upstream generates the selector from the uid unless spec.manualSelector is true.
            var spec = o.Ensure("spec");
            var meta = o.Ensure("metadata");
            var uid = meta.Str("uid") ?? "";
            var name = meta.Str("name") ?? "";
            if (spec.Bool("manualSelector") != true)
            {
                spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
                var labels = spec.Ensure("template").Ensure("metadata").Ensure("labels");
                labels["batch.kubernetes.io/controller-uid"] = uid;
                labels["batch.kubernetes.io/job-name"] = name;
                labels["controller-uid"] = uid;
                labels["job-name"] = name;

                // Upstream defaults on every decode, storage reads included, so the Job shows its template's labels from
                // the start; without this a second identical apply would add them and count as a change.
                if (meta.Obj("labels") is not { Count: > 0 })
                {
                    meta["labels"] = labels.DeepClone();
                }
            }

            o["status"] = new JsonObject();
        },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            var spec = o.Obj("spec");
            PodTemplates.ValidateSpec("spec.template.spec", spec?.Obj("template")?.Obj("spec"), errors, ["OnFailure", "Never"]);
            foreach (var field in new[] { "parallelism", "completions", "backoffLimit", "activeDeadlineSeconds" })
            {
                if (spec.Int(field) is < 0)
                {
                    errors.Add(FieldError.Invalid($"spec.{field}", spec![field], "must be greater than or equal to 0"));
                }
            }

        },
        ValidateUpdate = ValidateJobUpdate,
        FieldLabels = Fields(("status.successful", o => (o.Obj("status").Int("succeeded") ?? 0).ToString(CultureInfo.InvariantCulture))),
        Columns =
        [
            Text("Status", JobStatus, description: "Status of the job."),
            Text("Completions", o => $"{o.Obj("status").Int("succeeded") ?? 0}/{o.Obj("spec").Int("completions")?.ToString(CultureInfo.InvariantCulture) ?? "1"}", description: "The desired number of successfully finished pods the job should be run with."),
            Timed("Duration", (o, now) =>
            {
                var status = o.Obj("status");
                if (JsonHelpers.ParseTime(status.Str("startTime")) is not { } start)
                {
                    return "";
                }

                var end = JsonHelpers.ParseTime(status.Str("completionTime")) ?? now;
                return Cells.HumanDuration(end - start);
            }, description: "Time required to complete the job."),
            Age,
            ContainersOf(PodSpec),
            ImagesOf(PodSpec),
            Text("Selector", o => Cells.Selector(o.Obj("spec")?.Obj("selector")), 1, "A label query over pods that should match the pod count."),
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior CronJob = new()
    {
        Default = (o, _) =>
        {
            var spec = o.Ensure("spec");
            spec.DefaultString("concurrencyPolicy", "Allow");
            spec.Default("suspend", false);
            spec.Default("successfulJobsHistoryLimit", 3);
            spec.Default("failedJobsHistoryLimit", 1);
            var jobTemplate = spec.Ensure("jobTemplate");
            var meta = jobTemplate.Ensure("metadata");
            if (!meta.ContainsKey("creationTimestamp"))
            {
                meta["creationTimestamp"] = null;
            }

            PodTemplates.DefaultTemplate(jobTemplate.Ensure("spec").Obj("template"));
        },
        PrepareForCreate = (o, _) => o["status"] = new JsonObject(),
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            var spec = o.Obj("spec");
            if (string.IsNullOrWhiteSpace(spec.Str("schedule")))
            {
                errors.Add(FieldError.Required("spec.schedule"));
            }
            else if (spec.Str("schedule")!.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: not 5 } fields && !spec.Str("schedule")!.StartsWith('@'))
            {
                errors.Add(FieldError.Invalid("spec.schedule", spec.Str("schedule")!, $"expected exactly 5 fields, found {fields.Length}: {spec.Str("schedule")}"));
            }

            if (spec.Str("concurrencyPolicy") is { } policy && policy is not ("Allow" or "Forbid" or "Replace"))
            {
                errors.Add(FieldError.NotSupported("spec.concurrencyPolicy", spec!["concurrencyPolicy"], ["Allow", "Forbid", "Replace"]));
            }

            PodTemplates.ValidateSpec("spec.jobTemplate.spec.template.spec", spec?.Obj("jobTemplate")?.Obj("spec")?.Obj("template")?.Obj("spec"), errors, ["OnFailure", "Never"]);
        },
        Columns =
        [
            Text("Schedule", o => o.Obj("spec").Str("schedule"), description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
            Text("Timezone", o => Cells.OrNone(o.Obj("spec").Str("timeZone")), description: "The time zone for the given schedule"),
            Text("Suspend", o => o.Obj("spec").Bool("suspend") == true ? "True" : "False", description: "This flag tells the controller to suspend subsequent executions."),
            Number("Active", o => o.Obj("status").Arr("active")?.Count ?? 0, description: "Information about currently running jobs."),
            Timed("Last Schedule", (o, now) => o.Obj("status").Str("lastScheduleTime") is { } t ? Cells.Since(t, now) : "<none>", description: "Information when was the last time the job was successfully scheduled."),
            Age,
            ContainersOf(o => o.Obj("spec")?.Obj("jobTemplate")?.Obj("spec")?.Obj("template")?.Obj("spec")),
            ImagesOf(o => o.Obj("spec")?.Obj("jobTemplate")?.Obj("spec")?.Obj("template")?.Obj("spec")),
            Text("Selector", o => Cells.Selector(o.Obj("spec")?.Obj("jobTemplate")?.Obj("spec")?.Obj("selector")), 1, "A label query over pods that should match the pod count."),
        ],
        TopLevelFields = Top("spec", "status"),
    };

    private static string JobStatus(JsonObject o)
    {
        var conditions = o.Obj("status").Arr("conditions").Objects().Where(c => c.Str("status") == "True").Select(c => c.Str("type")).ToList();
        if (conditions.Contains("Complete"))
        {
            return "Complete";
        }

        if (conditions.Contains("Failed"))
        {
            return "Failed";
        }

        if (o.Obj("metadata")?["deletionTimestamp"] is not null)
        {
            return "Terminating";
        }

        if (conditions.Contains("Suspended"))
        {
            return "Suspended";
        }

        return "Running";
    }

    private static void ValidateWorkload(JsonObject o, JsonObject? old, List<FieldError> errors, bool replicasRequired, bool selectorImmutable = true)
    {
        Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
        var spec = o.Obj("spec");
        if (spec is null)
        {
            errors.Add(FieldError.Required("spec"));
            return;
        }

        if (replicasRequired && spec.Int("replicas") is < 0)
        {
            errors.Add(FieldError.Invalid("spec.replicas", spec["replicas"], "must be greater than or equal to 0"));
        }

        PodTemplates.ValidateSelector(spec, errors);
        if (spec.Obj("template") is null)
        {
            errors.Add(FieldError.Required("spec.template"));
        }
        else
        {
            PodTemplates.ValidateSpec("spec.template.spec", spec.Obj("template")?.Obj("spec"), errors, ["Always"]);
        }

        if (selectorImmutable && old?.Obj("spec")?["selector"] is { } oldSelector && !JsonNode.DeepEquals(oldSelector, spec["selector"]))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.selector", FormatSelector(spec.Obj("selector")), "field is immutable"));
        }
    }

    /// <summary>
    /// A StatefulSet update may change only these spec fields: apps/validation ValidateStatefulSetUpdate as of v1.32,
    /// the version the simulator reports (v1.33 added revisionHistoryLimit to the list and the message).
    /// </summary>
    private static readonly string[] StatefulSetMutable =
        ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

    private static void ValidateStatefulSetUpdate(JsonObject o, JsonObject old, List<FieldError> errors)
    {
        var spec = (JsonObject?)o.Obj("spec")?.DeepClone() ?? [];
        var oldSpec = (JsonObject?)old.Obj("spec")?.DeepClone() ?? [];
        foreach (var field in StatefulSetMutable)
        {
            spec.Remove(field);
            oldSpec.Remove(field);
        }

        if (!Validation.SemanticEquals(spec, oldSpec))
        {
            errors.Add(FieldError.Forbidden("spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
        }
    }

    /// <summary>batch/validation ValidateJobSpecUpdate (v1.32): what a Job update may not change, in upstream's order.</summary>
    private static void ValidateJobUpdate(JsonObject o, JsonObject old, List<FieldError> errors)
    {
        var spec = o.Obj("spec") ?? [];
        var oldSpec = old.Obj("spec") ?? [];

        // Completions are fixed, except that an Indexed Job may scale them together with parallelism (elastic Indexed Jobs, GA in v1.31).
        if (!Validation.SemanticEquals(spec["completions"], oldSpec["completions"]))
        {
            if (spec.Str("completionMode") != "Indexed")
            {
                errors.Add(FieldError.Invalid("spec.completions", spec["completions"], "field is immutable"));
            }
            else if (spec["completions"] is not null && spec.Int("completions") != spec.Int("parallelism"))
            {
                errors.Add(FieldError.Invalid("spec.completions", spec["completions"], "can only be modified in tandem with spec.parallelism"));
            }
        }

        if (!Validation.SemanticEquals(spec["selector"], oldSpec["selector"]))
        {
            errors.Add(FieldError.Invalid("spec.selector", spec["selector"], "field is immutable"));
        }

        var template = (JsonObject?)spec.Obj("template")?.DeepClone() ?? [];
        var oldTemplate = (JsonObject?)oldSpec.Obj("template")?.DeepClone() ?? [];
        if (oldSpec.Bool("suspend") == true && old.Obj("status")?["startTime"] is null)
        {
            AllowSchedulingDirectives(template, oldTemplate);
        }

        if (!Validation.SemanticEquals(template, oldTemplate))
        {
            // Upstream prints the whole internal struct with Go's %#v (pointer addresses included); the type name and the
            // detail are what people and tools read.
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.template", "core.PodTemplateSpec{...}", "field is immutable"));
        }

        foreach (var (field, goType) in new[]
        {
            ("completionMode", ""), ("podFailurePolicy", "batch.PodFailurePolicy"), ("backoffLimitPerIndex", ""), ("managedBy", ""), ("successPolicy", "batch.SuccessPolicy"),
        })
        {
            if (!Validation.SemanticEquals(spec[field], oldSpec[field]))
            {
                errors.Add(spec[field] is JsonObject && goType.Length > 0
                    ? new FieldError(FieldErrorType.Invalid, $"spec.{field}", goType + "{...}", "field is immutable")
                    : FieldError.Invalid($"spec.{field}", spec[field], "field is immutable"));
            }
        }
    }

    /// <summary>
    /// A suspended Job that never started may change where its Pods would run (node affinity, node selector,
    /// tolerations, scheduling gates) and its template's labels and annotations: those are taken from the new template.
    /// </summary>
    private static void AllowSchedulingDirectives(JsonObject template, JsonObject oldTemplate)
    {
        var spec = template.Obj("spec") ?? [];
        var oldSpec = oldTemplate.Ensure("spec");
        var affinity = spec.Obj("affinity");
        var oldAffinity = oldSpec.Obj("affinity");
        if (affinity is null && oldAffinity is not null)
        {
            oldAffinity.Remove("nodeAffinity");
            if (oldAffinity.Count == 0)
            {
                oldSpec.Remove("affinity");
            }
        }
        else if (affinity is not null)
        {
            oldSpec.Ensure("affinity")["nodeAffinity"] = affinity["nodeAffinity"]?.DeepClone();
        }

        foreach (var field in new[] { "nodeSelector", "tolerations", "schedulingGates" })
        {
            oldSpec[field] = spec[field]?.DeepClone();
        }

        var meta = template.Obj("metadata") ?? [];
        var oldMeta = oldTemplate.Ensure("metadata");
        oldMeta["annotations"] = meta["annotations"]?.DeepClone();
        oldMeta["labels"] = meta["labels"]?.DeepClone();
    }

    private static string FormatSelector(JsonObject? selector) =>
        $"v1.LabelSelector{{MatchLabels:{Validation.GoStringMap(selector?.Obj("matchLabels"))}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}";
}
