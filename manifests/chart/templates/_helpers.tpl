{{/* The app.kubernetes.io set every object carries; name and component per object. */}}
{{- define "ebbflow.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: ebbflow
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* repository@digest when a digest is given (production), else repository:tag. */}}
{{- define "ebbflow.image" -}}
{{- if .digest -}}{{ .repository }}@{{ .digest }}{{- else -}}{{ .repository }}:{{ .tag }}{{- end -}}
{{- end -}}

{{- define "ebbflow.restricted" -}}
pod-security.kubernetes.io/enforce: restricted
pod-security.kubernetes.io/audit: restricted
pod-security.kubernetes.io/warn: restricted
{{- end -}}

{{/* The exporter's config.yaml (exporter/config.example.yaml's shape); credentials from the env. */}}
{{- define "ebbflow.exporterConfig" -}}
sls:
  endpoint: {{ .Values.exporter.endpoint }}
listen:
  host: 0.0.0.0
  port: 9464
metrics:
  - name: active_devices
    help: Distinct devices that sent a heartbeat in the last minute
    project: {{ .Values.exporter.project }}
    logstore: {{ .Values.exporter.logstore }}
    query: {{ .Values.exporter.query | quote }}
    valueColumn: active_devices
    window: 1m
    interval: 15s
    timeout: 10s
    maxStaleness: 2m
    retries: 2
{{- end -}}
