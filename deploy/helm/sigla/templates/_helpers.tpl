{{/* The chart's objects' name: fullnameOverride, the release name when it holds "sigla", or <release>-sigla. */}}
{{- define "sigla.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains "sigla" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-sigla" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sigla.selectorLabels" -}}
app.kubernetes.io/name: sigla
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sigla.labels" -}}
{{ include "sigla.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The Secret with the API key and the object-storage credentials: existingSecret or the chart's. */}}
{{- define "sigla.secretName" -}}
{{- default (include "sigla.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* "true" when the store is in object storage (scheme://...), not a folder on the /data volume. */}}
{{- define "sigla.remoteStore" -}}
{{- if contains "://" .Values.store -}}true{{- end -}}
{{- end -}}

{{/* The claim mounted at /data, or nothing (an emptyDir) for a remote store or without persistence. */}}
{{- define "sigla.claimName" -}}
{{- if and .Values.persistence.enabled (not (include "sigla.remoteStore" .)) -}}
{{- default (include "sigla.fullname" .) .Values.persistence.existingClaim -}}
{{- end -}}
{{- end -}}
