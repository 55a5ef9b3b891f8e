// Built-in templates. Layout note: every action trims the text around it ({{- ... -}}), and
// output line breaks are written explicitly as {{ "\n" }}, so the indentation below is free
// and never leaks into notifications.
#include "template/defaults.h"

namespace am::tmpl {

const char* const kDefaultTmpl = R"TMPL(
{{- /* ---------------------------------------------------------------- shared pieces */ -}}

{{- define "__alertmanager" -}} Alertmanager {{- end -}}

{{- define "__alertmanagerURL" -}}
  {{- .ExternalURL -}} /#/alerts?receiver= {{- urlquery .Receiver -}}
{{- end -}}

{{- /* "[FIRING:n] <group label values> (<other common label values>)" */ -}}
{{- define "__subject" -}}
  [ {{- toUpper .Status -}}
  {{- if eq .Status "firing" -}} : {{- len .Alerts.Firing -}} {{- end -}}
  ] {{- " " -}}
  {{- join " " .GroupLabels.SortedPairs.Values -}} {{- " " -}}
  {{- if lt (len .GroupLabels) (len .CommonLabels) -}}
    ( {{- join " " (.CommonLabels.Remove .GroupLabels.Names).Values -}} )
  {{- end -}}
{{- end -}}

{{- define "__description" -}}{{- end -}}

{{- define "__text_alert_list" -}}
  {{- range . -}}
    {{- "Labels:\n" -}}
    {{- range .Labels.SortedPairs -}} {{- printf " - %s = %s\n" .Name .Value -}} {{- end -}}
    {{- "Annotations:\n" -}}
    {{- range .Annotations.SortedPairs -}} {{- printf " - %s = %s\n" .Name .Value -}} {{- end -}}
    {{- printf "Source: %s\n" .GeneratorURL -}}
  {{- end -}}
{{- end -}}

{{- define "__text_alert_list_markdown" -}}
  {{- range . -}}
    {{- "\nLabels:\n" -}}
    {{- range .Labels.SortedPairs -}} {{- printf "  - %s = %s\n" .Name .Value -}} {{- end -}}
    {{- "\nAnnotations:\n" -}}
    {{- range .Annotations.SortedPairs -}} {{- printf "  - %s = %s\n" .Name .Value -}} {{- end -}}
    {{- printf "\nSource: %s\n" .GeneratorURL -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}

{{- /* ---------------------------------------------------------------- slack */ -}}
{{- define "slack.default.title" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "slack.default.username" -}} {{- template "__alertmanager" . -}} {{- end -}}
{{- define "slack.default.fallback" -}}
  {{- template "slack.default.title" . -}} {{- " | " -}} {{- template "slack.default.titlelink" . -}}
{{- end -}}
{{- define "slack.default.callbackid" -}}{{- end -}}
{{- define "slack.default.pretext" -}}{{- end -}}
{{- define "slack.default.titlelink" -}} {{- template "__alertmanagerURL" . -}} {{- end -}}
{{- define "slack.default.iconemoji" -}}{{- end -}}
{{- define "slack.default.iconurl" -}}{{- end -}}
{{- define "slack.default.text" -}}{{- end -}}
{{- define "slack.default.footer" -}}{{- end -}}
{{- define "slack.default.color" -}} {{- if eq .Status "firing" -}} danger {{- else -}} good {{- end -}} {{- end -}}

{{- /* ---------------------------------------------------------------- pagerduty */ -}}
{{- define "pagerduty.default.description" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "pagerduty.default.client" -}} {{- template "__alertmanager" . -}} {{- end -}}
{{- define "pagerduty.default.clientURL" -}} {{- template "__alertmanagerURL" . -}} {{- end -}}
{{- define "pagerduty.default.instances" -}} {{- template "__text_alert_list" . -}} {{- end -}}

{{- /* ---------------------------------------------------------------- opsgenie */ -}}
{{- define "opsgenie.default.message" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "opsgenie.default.description" -}}
  {{- join " " .CommonAnnotations.SortedPairs.Values -}} {{- "\n" -}}
  {{- with .Alerts.Firing -}} {{- "Alerts Firing:\n" -}} {{- template "__text_alert_list" . -}} {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}} {{- "Alerts Resolved:\n" -}} {{- template "__text_alert_list" . -}} {{- end -}}
{{- end -}}
{{- define "opsgenie.default.source" -}} {{- template "__alertmanagerURL" . -}} {{- end -}}

{{- /* ---------------------------------------------------------------- wechat */ -}}
{{- define "wechat.default.message" -}}
  {{- template "__subject" . -}} {{- "\n" -}}
  {{- join " " .CommonAnnotations.SortedPairs.Values -}} {{- "\n" -}}
  {{- with .Alerts.Firing -}} {{- "Alerts Firing:\n" -}} {{- template "__text_alert_list" . -}} {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}} {{- "Alerts Resolved:\n" -}} {{- template "__text_alert_list" . -}} {{- end -}}
  {{- "\nAlertmanagerUrl:\n" -}}
  {{- template "__alertmanagerURL" . -}}
{{- end -}}
{{- define "wechat.default.to_user" -}}{{- end -}}
{{- define "wechat.default.to_party" -}}{{- end -}}
{{- define "wechat.default.to_tag" -}}{{- end -}}
{{- define "wechat.default.agent_id" -}}{{- end -}}

{{- /* ---------------------------------------------------------------- victorops */ -}}
{{- define "victorops.default.state_message" -}}
  {{- join " " .CommonAnnotations.SortedPairs.Values -}} {{- "\n" -}}
  {{- with .Alerts.Firing -}} {{- "Alerts Firing:\n" -}} {{- template "__text_alert_list" . -}} {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}} {{- "Alerts Resolved:\n" -}} {{- template "__text_alert_list" . -}} {{- end -}}
{{- end -}}
{{- define "victorops.default.entity_display_name" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "victorops.default.monitoring_tool" -}} {{- template "__alertmanager" . -}} {{- end -}}

{{- /* Messages that list firing then resolved alerts, each block framed by blank lines. */ -}}

{{- /* ---------------------------------------------------------------- pushover */ -}}
{{- define "pushover.default.title" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "pushover.default.message" -}}
  {{- join " " .CommonAnnotations.SortedPairs.Values -}} {{- "\n" -}}
  {{- with .Alerts.Firing -}}
    {{- "\nAlerts Firing:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}}
    {{- "\nAlerts Resolved:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}
{{- define "pushover.default.url" -}} {{- template "__alertmanagerURL" . -}} {{- end -}}

{{- /* ---------------------------------------------------------------- sns */ -}}
{{- define "sns.default.subject" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "sns.default.message" -}}
  {{- join " " .CommonAnnotations.SortedPairs.Values -}} {{- "\n" -}}
  {{- with .Alerts.Firing -}}
    {{- "\nAlerts Firing:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}}
    {{- "\nAlerts Resolved:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}

{{- /* ---------------------------------------------------------------- telegram */ -}}
{{- define "telegram.default.message" -}}
  {{- "\n" -}}
  {{- with .Alerts.Firing -}}
    {{- "\nAlerts Firing:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}}
    {{- "\nAlerts Resolved:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}

{{- /* ---------------------------------------------------------------- discord */ -}}
{{- define "discord.default.title" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "discord.default.message" -}}
  {{- "\n" -}}
  {{- with .Alerts.Firing -}}
    {{- "\nAlerts Firing:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}}
    {{- "\nAlerts Resolved:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}
{{- define "discord.default.content" -}}{{- end -}}

{{- /* ---------------------------------------------------------------- webex */ -}}
{{- define "webex.default.message" -}}
  {{- join " " .CommonAnnotations.SortedPairs.Values -}} {{- "\n" -}}
  {{- with .Alerts.Firing -}}
    {{- "\nAlerts Firing:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}}
    {{- "\nAlerts Resolved:\n" -}} {{- template "__text_alert_list" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}

{{- /* Markdown messages (Teams, Jira, Mattermost): "# Alerts Firing:" headings. */ -}}

{{- /* ---------------------------------------------------------------- msteams */ -}}
{{- define "msteams.default.summary" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "msteams.default.title" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "msteams.default.text" -}}
  {{- "\n" -}}
  {{- with .Alerts.Firing -}}
    {{- "\n# Alerts Firing:\n" -}} {{- template "__text_alert_list_markdown" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}}
    {{- "\n# Alerts Resolved:\n" -}} {{- template "__text_alert_list_markdown" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}

{{- define "msteamsv2.default.title" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "msteamsv2.default.text" -}}
  {{- "\n" -}}
  {{- with .Alerts.Firing -}}
    {{- "\n# Alerts Firing:\n" -}} {{- template "__text_alert_list_markdown" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}}
    {{- "\n# Alerts Resolved:\n" -}} {{- template "__text_alert_list_markdown" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}

{{- /* ---------------------------------------------------------------- jira */ -}}
{{- define "jira.default.summary" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "jira.default.description" -}}
  {{- "\n" -}}
  {{- with .Alerts.Firing -}}
    {{- "\n# Alerts Firing:\n" -}} {{- template "__text_alert_list_markdown" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}}
    {{- "\n# Alerts Resolved:\n" -}} {{- template "__text_alert_list_markdown" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}
{{- /* Highest severity wins: critical > warning > info; resolved alerts count only when no
       firing alert set a priority. */ -}}
{{- define "jira.default.priority" -}}
  {{- $p := "" -}}
  {{- range $group := list .Alerts.Firing .Alerts.Resolved -}}
    {{- if eq $p "" -}}
      {{- range $group -}}
        {{- $sev := .Labels.severity -}}
        {{- if eq $sev "critical" -}} {{- $p = "High" -}}
        {{- else if and (eq $sev "warning") (ne $p "High") -}} {{- $p = "Medium" -}}
        {{- else if and (eq $sev "info") (eq $p "") -}} {{- $p = "Low" -}}
        {{- end -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
  {{- $p -}}
{{- end -}}

{{- /* ---------------------------------------------------------------- rocketchat */ -}}
{{- define "rocketchat.default.title" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "rocketchat.default.alias" -}} {{- template "__alertmanager" . -}} {{- end -}}
{{- define "rocketchat.default.titlelink" -}} {{- template "__alertmanagerURL" . -}} {{- end -}}
{{- define "rocketchat.default.emoji" -}}{{- end -}}
{{- define "rocketchat.default.iconurl" -}}{{- end -}}
{{- define "rocketchat.default.text" -}}{{- end -}}

{{- /* ---------------------------------------------------------------- mattermost */ -}}
{{- define "mattermost.default.color" -}} {{- if eq .Status "firing" -}} danger {{- else -}} good {{- end -}} {{- end -}}
{{- define "mattermost.default.username" -}} {{- template "__alertmanager" . -}} {{- end -}}
{{- define "mattermost.default.title" -}} {{- template "__subject" . -}} {{- end -}}
{{- define "mattermost.default.titlelink" -}} {{- template "__alertmanagerURL" . -}} {{- end -}}
{{- define "mattermost.default.fallback" -}}
  {{- template "mattermost.default.title" . -}} {{- " | " -}} {{- template "mattermost.default.titlelink" . -}}
{{- end -}}
{{- define "mattermost.default.text" -}}
  {{- "\n" -}}
  {{- with .Alerts.Firing -}}
    {{- "\n# Alerts Firing:\n" -}} {{- template "__text_alert_list_markdown" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
  {{- with .Alerts.Resolved -}}
    {{- "\n# Alerts Resolved:\n" -}} {{- template "__text_alert_list_markdown" . -}} {{- "\n" -}}
  {{- end -}}
  {{- "\n" -}}
{{- end -}}
)TMPL";

// The HTML email: a single centred card, table layout and inline styles only, because most mail
// clients ignore <style> blocks and modern CSS layout.
const char* const kEmailTmpl = R"TMPL(
{{- define "email.default.subject" -}} {{- template "__subject" . -}} {{- end -}}

{{- define "__email_alert_rows" -}}
{{- range . }}
<tr><td style="padding:12px 16px;border-top:1px solid #e4e7eb;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="font-size:14px;line-height:20px;">
<tr><td style="padding-bottom:6px;"><strong style="color:#1f2933;">{{ .Labels.alertname }}</strong>
{{- if .Annotations.summary }}<br><span style="color:#3e4c59;">{{ .Annotations.summary }}</span>{{ end }}
{{- if .Annotations.description }}<br><span style="color:#52606d;">{{ .Annotations.description }}</span>{{ end }}</td></tr>
<tr><td style="padding-bottom:6px;color:#52606d;">
{{- range .Labels.SortedPairs }}<span style="display:inline-block;margin:0 6px 4px 0;padding:1px 6px;border-radius:3px;background:#eef2f7;color:#323f4b;font-family:Menlo,Consolas,monospace;font-size:12px;">{{ .Name }}={{ .Value }}</span> {{ end -}}
</td></tr>
{{- with .Annotations.Remove (stringSlice "summary" "description") }}
<tr><td style="padding-bottom:6px;color:#52606d;font-size:13px;">
{{- range .SortedPairs }}<div><strong>{{ .Name }}:</strong> {{ .Value }}</div>{{ end -}}
</td></tr>
{{- end }}
<tr><td style="color:#7b8794;font-size:12px;">Started {{ .StartsAt.Format "2006-01-02 15:04:05 MST" }}
{{- if .GeneratorURL }} &middot; <a href="{{ .GeneratorURL }}" style="color:#2563eb;">Source</a>{{ end }}</td></tr>
</table>
</td></tr>
{{- end }}
{{- end -}}

{{- define "email.default.html" -}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ template "__subject" . }}</title>
</head>
<body style="margin:0;padding:0;background:#f5f7fa;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1f2933;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f7fa;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px;background:#ffffff;border:1px solid #e4e7eb;border-radius:6px;">
<tr><td style="padding:16px;border-radius:6px 6px 0 0;color:#ffffff;font-size:16px;font-weight:bold;background:{{ if eq .Status "firing" }}#c62828{{ else }}#2e7d32{{ end }};">
{{- len .Alerts.Firing }} firing
{{- if .Alerts.Resolved }}, {{ len .Alerts.Resolved }} resolved{{ end }}
{{- with .GroupLabels.SortedPairs }} &mdash; {{ range $i, $p := . }}{{ if $i }}, {{ end }}{{ $p.Name }}={{ $p.Value }}{{ end }}{{ end -}}
</td></tr>
<tr><td style="padding:12px 16px;font-size:14px;">
<a href="{{ template "__alertmanagerURL" . }}" style="display:inline-block;padding:8px 14px;border-radius:4px;background:#2563eb;color:#ffffff;text-decoration:none;">View in {{ template "__alertmanager" . }}</a>
</td></tr>
{{- with .Alerts.Firing }}
<tr><td style="padding:12px 16px 4px;font-size:13px;font-weight:bold;color:#c62828;text-transform:uppercase;">Firing ({{ len . }})</td></tr>
{{- template "__email_alert_rows" . }}
{{- end }}
{{- with .Alerts.Resolved }}
<tr><td style="padding:12px 16px 4px;font-size:13px;font-weight:bold;color:#2e7d32;text-transform:uppercase;">Resolved ({{ len . }})</td></tr>
{{- template "__email_alert_rows" . }}
{{- end }}
<tr><td style="padding:12px 16px;border-top:1px solid #e4e7eb;color:#9aa5b1;font-size:12px;">Sent by {{ template "__alertmanager" . }}{{ with .ExternalURL }} at <a href="{{ . }}" style="color:#9aa5b1;">{{ . }}</a>{{ end }}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
{{ end }}
)TMPL";

}  // namespace am::tmpl
