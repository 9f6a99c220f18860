{{/* The release-wide name; the library's naming rules, so every object is named alike. */}}
{{- define "bench-app.fullname" -}}
{{- include "common.fullname" . -}}
{{- end -}}

{{/* Context for a component template: the root, the component's name and its values. */}}
{{- define "bench-app.component" -}}
{{- $c := index .root.Values.components .name -}}
{{- printf "%s-%s" (include "bench-app.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bench-app.labels" -}}
{{ include "common.labels.standard" .root }}
app.kubernetes.io/component: {{ .name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{- range $k, $v := .root.Values.extraLabels }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- with .root.Values.global.labels }}
{{- range $k, $v := . }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "bench-app.selector" -}}
app: {{ include "common.name" .root }}
release: {{ .root.Release.Name | quote }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "bench-app.image" -}}
{{- $c := index .root.Values.components .name -}}
{{- $registry := .root.Values.global.imageRegistry | default "docker.io" -}}
{{- printf "%s/%s:%s" $registry $c.image.repository ($c.image.tag | toString) -}}
{{- end -}}

{{- define "bench-app.configData" -}}
{{- $c := index .root.Values.components .name -}}
component.yaml: |
{{ toYaml $c.config | indent 2 }}
env.json: {{ toJson $c.env | quote }}
{{- end -}}

{{- define "bench-app.deployment" -}}
{{- $c := index .root.Values.components .name -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "bench-app.component" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
{{ include "bench-app.labels" . | indent 4 }}
spec:
  {{- if not $c.autoscaling.enabled }}
  replicas: {{ $c.replicas }}
  {{- end }}
  selector:
    matchLabels:
{{ include "bench-app.selector" . | indent 6 }}
  template:
    metadata:
      labels:
{{ include "bench-app.selector" . | indent 8 }}
      annotations:
        checksum/config: {{ include "bench-app.configData" . | sha256sum }}
{{ tpl (toYaml $root.Values.podAnnotations) $root | indent 8 }}
    spec:
      serviceAccountName: {{ include "bench-app.fullname" $root }}
      containers:
        - name: {{ .name }}
          image: {{ include "bench-app.image" . | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $c.port }}
              protocol: TCP
          env:
            - name: COMPONENT
              value: {{ .name | upper | quote }}
            {{- range $k, $v := $c.env }}
            - name: {{ $k }}
              value: {{ $v | toString | quote }}
            {{- end }}
          livenessProbe:
            tcpSocket:
              port: http
            initialDelaySeconds: {{ mul 2 5 }}
          readinessProbe:
            tcpSocket:
              port: http
          resources:
{{ toYaml $root.Values.resources | indent 12 }}
          volumeMounts:
            - name: config
              mountPath: /etc/{{ .name }}
      volumes:
        - name: config
          configMap:
            name: {{ include "bench-app.component" . }}
{{- end -}}

{{- define "bench-app.service" -}}
{{- $c := index .root.Values.components .name -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "bench-app.component" . }}
  labels:
{{ include "bench-app.labels" . | indent 4 }}
spec:
  type: {{ .root.Values.service.type }}
  ports:
    - name: http
      port: {{ $c.port }}
      targetPort: http
  selector:
{{ include "bench-app.selector" . | indent 4 }}
{{- end -}}

{{- define "bench-app.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "bench-app.component" . }}
  labels:
{{ include "bench-app.labels" . | indent 4 }}
data:
{{ include "bench-app.configData" . | indent 2 }}
{{- end -}}

{{- define "bench-app.hpa" -}}
{{- $c := index .root.Values.components .name -}}
{{- if $c.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "bench-app.component" . }}
  labels:
{{ include "bench-app.labels" . | indent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "bench-app.component" . }}
  minReplicas: {{ $c.autoscaling.min }}
  maxReplicas: {{ max $c.autoscaling.min $c.autoscaling.max }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $c.autoscaling.cpu }}
{{- end }}
{{- end -}}

{{- define "bench-app.pdb" -}}
{{- $c := index .root.Values.components .name -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "bench-app.component" . }}
  labels:
{{ include "bench-app.labels" . | indent 4 }}
spec:
  {{- if hasKey $c.pdb "minAvailable" }}
  minAvailable: {{ $c.pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $c.pdb.maxUnavailable | default 1 }}
  {{- end }}
  selector:
    matchLabels:
{{ include "bench-app.selector" . | indent 6 }}
{{- end -}}
