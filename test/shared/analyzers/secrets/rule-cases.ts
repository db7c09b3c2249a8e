/**
 * Per-rule samples: for every secret rule, texts it must find and look-alikes it must not
 * (wrong length, wrong prefix, placeholders, documentation values). Every token is assembled
 * at run time from parts and seeded random characters (see fakes.ts).
 *
 * @module
 */
import { ALNUM, b64, b64url, BASE32, BASE32_LOWER, BASE64, BASE64URL, BECH32, DIGITS, fake, HEX, LOWER_ALNUM, pem, pemBody, UPPER_ALNUM } from './fakes.js'

export interface RuleCase {
  /** The rule id. */
  id: string
  /** The path the samples are scanned as (default {@link DEFAULT_PATH}). */
  path?: string
  /** Texts in which the rule must report a secret. */
  positive: string[]
  /** Texts in which the rule must report nothing. */
  negative: string[]
}

export const DEFAULT_PATH = '/srv/app/config/settings.conf'

const A = (n: number, seed: number): string => fake(ALNUM, n, seed)
const H = (n: number, seed: number): string => fake(HEX, n, seed)
const U = (n: number, seed: number): string => fake(BASE64URL, n, seed)
const D = (n: number, seed: number): string => fake('123456789', 1, seed) + fake(DIGITS, n - 1, seed + 1)
const uuid = (seed: number): string => `${H(8, seed)}-${H(4, seed + 1)}-${H(4, seed + 2)}-${H(4, seed + 3)}-${H(12, seed + 4)}`
/** A password a person might choose: letters and digits, no dictionary words. */
export const pw = (seed: number): string => `${A(12, seed)}${fake(DIGITS, 3, seed + 500)}`
const dashes = '-'.repeat(5)

// frequently used fakes
const AWS_ID = 'AK' + 'IA' + fake(BASE32, 16, 1)
const AWS_SECRET = fake(BASE64, 40, 2)
const GH = (prefix: string, n: number, seed: number): string => 'gh' + prefix + '_' + A(n, seed)
const JWT_HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
const JWT = `${JWT_HEADER}.${b64url(JSON.stringify({ sub: `svc-${A(8, 3)}`, iat: 1700000000, scope: 'deploy' }))}.${U(43, 4)}`
const RSA_BODY = pemBody(1190, 5)

export const RULE_CASES: RuleCase[] = [
  // ─── AWS ───
  {
    id: 'secret-aws-access-key-id',
    positive: [`AWS_ACCESS_KEY_ID=${AWS_ID}`, `"AccessKeyId": "${'AS' + 'IA' + fake(BASE32, 16, 6)}"`, `X-Amz-Credential=${AWS_ID}%2F20240101%2Fus-east-1`],
    negative: [
      `AWS_ACCESS_KEY_ID=${AWS_ID.slice(0, 19)}`,
      `AWS_ACCESS_KEY_ID=${'AK' + 'IB' + fake(BASE32, 16, 1)}`,
      `blob: ${fake(BASE64, 30, 7)}${AWS_ID}${fake(BASE64, 30, 8)}`,
      `aws_access_key_id = ${'AK' + 'IA' + 'IOSFODNN7' + 'EXAMPLE'}`,
      `id = ${'AK' + 'IA' + 'A'.repeat(16)}`,
    ],
  },
  {
    id: 'secret-aws-secret-access-key',
    positive: [`aws_secret_access_key = ${AWS_SECRET}`, `  secretAccessKey: "${fake(BASE64, 40, 9)}",`, `AWS_SECRET_ACCESS_KEY=${fake(BASE64, 40, 10)}`],
    negative: [
      `aws_secret_access_key = ${AWS_SECRET.slice(0, 39)}`,
      `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY'}`,
      `some_other_key = ${AWS_SECRET}`,
      `aws_secret_access_key = ${'x'.repeat(40)}`,
    ],
  },
  {
    id: 'secret-aws-access-key-pair',
    positive: [`User name,Access key ID,Secret access key\ndeploy,${AWS_ID},${AWS_SECRET}`, `${AWS_ID}:${fake(BASE64, 40, 11)}`],
    negative: [`deploy,${AWS_ID},${fake(BASE64, 30, 12)}`, `deploy,${'AK' + 'IA' + 'IOSFODNN7' + 'EXAMPLE'},${'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY'}`],
  },
  {
    id: 'secret-aws-session-token',
    positive: [`aws_session_token = ${fake(BASE64, 320, 13)}`, `AWS_SESSION_TOKEN="${fake(BASE64, 200, 14)}"`],
    negative: [`aws_session_token = ${fake(BASE64, 60, 13)}`, 'aws_session_token = $AWS_SESSION_TOKEN'],
  },
  {
    id: 'secret-aws-mws-auth-token',
    positive: [`MWS_AUTH_TOKEN=amzn.mws.${uuid(15)}`],
    negative: [`MWS_AUTH_TOKEN=amzn.mws.${H(8, 15)}-${H(4, 16)}`, 'amzn.mws.00000000-0000-0000-0000-000000000000'],
  },
  {
    id: 'secret-alibaba-access-key-id',
    positive: [`ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI${A(20, 17)}`],
    negative: [`ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI${A(8, 17)}`, `LTAI${A(30, 18)}`],
  },
  // ─── Google ───
  {
    id: 'secret-gcp-service-account-key',
    positive: [
      JSON.stringify(
        {
          type: 'service_account',
          project_id: 'acme-prod',
          private_key_id: H(40, 19),
          private_key: pem('PRIVATE KEY', pemBody(1218, 20)),
          client_email: 'deployer@acme-prod.iam.gserviceaccount.com',
        },
        null,
        2
      ),
    ],
    negative: [
      JSON.stringify({ type: 'authorized_user', private_key: pem('PRIVATE KEY', pemBody(1218, 20)) }),
      JSON.stringify({ type: 'service_account', project_id: 'acme', private_key: '' }),
      JSON.stringify({ type: 'service_account', private_key: `${dashes}BEGIN PRIVATE KEY${dashes}\n<your key here, several lines of it, at least sixty-four characters>\n${dashes}END PRIVATE KEY${dashes}\n` }),
    ],
  },
  {
    id: 'secret-gcp-api-key',
    positive: [`GOOGLE_API_KEY=AIza${U(35, 21)}`, `const key = "AIza${U(35, 22)}";`],
    negative: [`GOOGLE_API_KEY=AIza${U(34, 21)}`, `AIzb${U(35, 21)}`],
  },
  {
    id: 'secret-gcp-oauth-client-secret',
    positive: [`"client_secret": "GOCSPX-${U(28, 23)}"`],
    negative: [`"client_secret": "GOCSPX-${U(20, 23)}"`],
  },
  {
    id: 'secret-gcp-oauth-access-token',
    positive: [`Authorization header value ya29.${U(150, 24)}`],
    negative: [`ya29.${U(20, 24)}`],
  },
  {
    id: 'secret-firebase-cloud-messaging-server-key',
    positive: [`FCM_SERVER_KEY=AAAA${U(7, 25)}:APA91b${U(134, 26)}`],
    negative: [`device=${U(11, 27)}:APA91b${U(134, 26)}`, `FCM_SERVER_KEY=AAAA${U(7, 25)}:APA91b${U(40, 26)}`],
  },
  // ─── Azure ───
  {
    id: 'secret-azure-storage-account-key',
    positive: [`DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${fake(BASE64, 86, 28)}==;EndpointSuffix=core.windows.net`],
    negative: [`AccountName=acmeprod;AccountKey=${fake(BASE64, 40, 28)}==`, 'AccountKey=<storage-account-key>'],
  },
  {
    id: 'secret-azure-shared-access-key',
    positive: [`Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${fake(BASE64, 43, 29)}=`],
    negative: ['Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${SB_KEY}', `SharedAccessKey=${fake(BASE64, 20, 29)}=`],
  },
  {
    id: 'secret-azure-sas-token',
    positive: [
      `https://acme.blob.core.windows.net/backups/db.tar?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig=${encodeURIComponent(fake(BASE64, 43, 30) + '=')}`,
    ],
    negative: ['https://acme.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=short', `https://example.org/callback?sig=${fake(BASE64URL, 43, 30)}`],
  },
  {
    id: 'secret-azure-entra-client-secret',
    positive: [`AZURE_CLIENT_SECRET="${A(3, 31)}8Q~${A(34, 32)}"`],
    negative: [`AZURE_CLIENT_SECRET="${A(3, 31)}8Q~${A(20, 32)}"`, `value="${A(3, 31)}Q~${A(34, 32)}"`],
  },
  {
    id: 'secret-azure-devops-pat',
    positive: [`AZURE_DEVOPS_EXT_PAT=${A(76, 33)}AZDO${A(4, 34)}`],
    negative: [`AZURE_DEVOPS_EXT_PAT=${A(60, 33)}AZDO${A(4, 34)}`],
  },
  {
    id: 'secret-azure-devops-pat-legacy',
    positive: [`AZURE_DEVOPS_PAT=${fake(BASE32_LOWER, 52, 35)}`, `SYSTEM_ACCESSTOKEN: ${fake(BASE32_LOWER, 52, 36)}`],
    negative: [`AZURE_DEVOPS_PAT=${fake(BASE32_LOWER, 40, 35)}`, 'AZURE_DEVOPS_PAT=$(System.AccessToken)'],
  },
  {
    id: 'secret-azure-container-registry-password',
    positive: [`ACR_PASSWORD=${fake(BASE64, 42, 37)}+ACR${A(6, 38)}`],
    negative: [`ACR_PASSWORD=${fake(BASE64, 20, 37)}+ACR${A(6, 38)}`],
  },
  {
    id: 'secret-azure-app-configuration-connection-string',
    positive: [`Endpoint=https://acme-cfg.azconfig.io;Id=${A(12, 39)};Secret=${fake(BASE64, 43, 40)}=`],
    negative: [`Endpoint=https://acme-cfg.azconfig.io;Id=${A(12, 39)};Secret=${fake(BASE64, 10, 40)}=`],
  },
  {
    id: 'secret-azure-api-management-subscription-key',
    positive: [`-H "Ocp-Apim-Subscription-Key: ${H(32, 41)}"`],
    negative: ['-H "Ocp-Apim-Subscription-Key: {{subscription-key}}"', `-H "Ocp-Apim-Subscription-Key: ${H(20, 41)}"`],
  },
  // ─── GitHub ───
  {
    id: 'secret-github-pat',
    positive: [`GITHUB_TOKEN=${GH('p', 36, 42)}`, `git clone https://x-access-token:${GH('p', 36, 43)}@ghe.internal/org/repo`],
    negative: [`GITHUB_TOKEN=${GH('p', 35, 42)}`, `GITHUB_TOKEN=${'gh' + 'x_' + A(36, 42)}`, `GITHUB_TOKEN=${'gh' + 'p_' + 'x'.repeat(36)}`, `${GH('p', 36, 42)}0`],
  },
  { id: 'secret-github-oauth-token', positive: [`oauth_token: ${GH('o', 36, 44)}`], negative: [`oauth_token: ${GH('o', 20, 44)}`] },
  { id: 'secret-github-user-to-server-token', positive: [`token=${GH('u', 36, 45)}`], negative: [`token=${GH('u', 30, 45)}`] },
  { id: 'secret-github-app-installation-token', positive: [`GH_TOKEN=${GH('s', 36, 46)}`], negative: [`GH_TOKEN=${'gh' + 's_' + '0'.repeat(36)}`] },
  { id: 'secret-github-refresh-token', positive: [`refresh_token=${GH('r', 76, 47)}`], negative: [`refresh_token=${GH('r', 20, 47)}`] },
  {
    id: 'secret-github-fine-grained-pat',
    positive: [`GH_PAT=${'github_' + 'pat_' + A(22, 48) + '_' + A(59, 49)}`],
    negative: [`GH_PAT=${'github_' + 'pat_' + A(22, 48) + '_' + A(30, 49)}`, `GH_PAT=${'github_' + 'pat_' + 'X'.repeat(82)}`],
  },
  // ─── GitLab, Bitbucket, Atlassian ───
  {
    id: 'secret-gitlab-pat',
    positive: [`GITLAB_TOKEN=${'glpat' + '-' + U(20, 50)}`, `PRIVATE-TOKEN: ${'glpat' + '-' + U(27, 51)}.01.${fake(LOWER_ALNUM, 9, 52)}`],
    negative: [`GITLAB_TOKEN=${'glpat' + '-' + U(10, 50)}`, `GITLAB_TOKEN=${'glpat' + '-' + 'x'.repeat(20)}`],
  },
  { id: 'secret-gitlab-pipeline-trigger-token', positive: [`-F token=glptt-${H(40, 53)}`], negative: [`-F token=glptt-${H(20, 53)}`] },
  {
    id: 'secret-gitlab-runner-token',
    positive: [`token = "glrt-${U(20, 54)}"`, `registration-token GR1348941${U(20, 55)}`],
    negative: [`token = "glrt-${U(8, 54)}"`, `GR1348941${U(8, 55)}`],
  },
  { id: 'secret-gitlab-deploy-token', positive: [`password: gldt-${U(20, 56)}`], negative: [`password: gldt-${U(10, 56)}`] },
  {
    id: 'secret-gitlab-token',
    positive: [`feed_token=glft-${U(20, 57)}`, `GITLAB_OAUTH_SECRET=gloas-${H(64, 58)}`],
    negative: [`feed_token=glzz-${U(20, 57)}`, `feed_token=glft-${U(8, 57)}`],
  },
  { id: 'secret-bitbucket-app-password', positive: [`BITBUCKET_APP_PASSWORD=ATBB${A(32, 59)}`], negative: [`BITBUCKET_APP_PASSWORD=ATBB${A(12, 59)}`] },
  { id: 'secret-bitbucket-access-token', positive: [`BITBUCKET_TOKEN=ATCTT3${U(180, 60)}`], negative: [`BITBUCKET_TOKEN=ATCTT3${U(50, 60)}`] },
  {
    id: 'secret-bitbucket-client-secret',
    positive: [`BITBUCKET_CLIENT_SECRET=${A(64, 61)}`, `bitbucket.oauth.secret: ${A(32, 62)}`],
    negative: [`BITBUCKET_CLIENT_SECRET=${A(16, 61)}`, 'BITBUCKET_CLIENT_SECRET=${BB_SECRET}'],
  },
  { id: 'secret-atlassian-api-token', positive: [`JIRA_API_TOKEN=ATATT3${U(186, 63)}`], negative: [`JIRA_API_TOKEN=ATATT3${U(40, 63)}`] },
  // ─── AI ───
  {
    id: 'secret-huggingface-access-token',
    positive: [`HF_TOKEN=hf_${A(34, 64)}`],
    negative: [`HF_TOKEN=hf_${A(20, 64)}`, 'from huggingface_hub import hf_hub_download_with_retries_and_cache_xyz', `HF_TOKEN=hf_${'x'.repeat(34)}`],
  },
  { id: 'secret-huggingface-organization-token', positive: [`token = "api_org_${A(34, 65)}"`], negative: [`token = "api_org_${A(10, 65)}"`] },
  {
    id: 'secret-openai-project-key',
    positive: [`OPENAI_API_KEY=${'sk-' + 'proj-' + U(100, 66) + 'T3Blbk' + 'FJ' + U(40, 67)}`],
    negative: [`OPENAI_API_KEY=${'sk-' + 'proj-' + U(10, 66)}`, `OPENAI_API_KEY=${'sk-' + 'proj-' + '.'.repeat(60)}`],
  },
  { id: 'secret-openai-service-account-key', positive: [`key: ${'sk-' + 'svcacct-' + U(120, 68)}`], negative: [`key: ${'sk-' + 'svcacct-' + U(12, 68)}`] },
  { id: 'secret-openai-admin-key', positive: [`OPENAI_ADMIN_KEY=${'sk-' + 'admin-' + U(120, 69)}`], negative: [`OPENAI_ADMIN_KEY=${'sk-' + 'admin-' + U(12, 69)}`] },
  {
    id: 'secret-openai-legacy-key',
    positive: [`openai.api_key = "${'sk-' + A(20, 70) + 'T3Blbk' + 'FJ' + A(20, 71)}"`],
    negative: [`openai.api_key = "${'sk-' + A(48, 70)}"`, `openai.api_key = "${'sk-' + A(5, 70) + 'T3Blbk' + 'FJ' + A(20, 71)}"`],
  },
  {
    id: 'secret-anthropic-api-key',
    positive: [`ANTHROPIC_API_KEY=${'sk-' + 'ant-' + 'api03-' + U(93, 72) + 'AA'}`],
    negative: [`ANTHROPIC_API_KEY=${'sk-' + 'ant-' + 'api03-' + U(20, 72)}`, `ANTHROPIC_API_KEY=${'sk-' + 'ant-' + 'api03-' + 'x'.repeat(95)}`],
  },
  { id: 'secret-anthropic-admin-key', positive: [`key=${'sk-' + 'ant-' + 'admin01-' + U(93, 73) + 'AA'}`], negative: [`key=${'sk-' + 'ant-' + 'admin01-' + U(30, 73)}`] },
  { id: 'secret-groq-api-key', positive: [`GROQ_API_KEY=gsk_${A(52, 74)}`], negative: [`GROQ_API_KEY=gsk_${A(20, 74)}`] },
  { id: 'secret-replicate-api-token', positive: [`REPLICATE_API_TOKEN=r8_${A(37, 75)}`], negative: [`REPLICATE_API_TOKEN=r8_${A(10, 75)}`] },
  { id: 'secret-langsmith-api-key', positive: [`LANGSMITH_API_KEY=lsv2_pt_${H(32, 76)}_${H(10, 77)}`], negative: [`LANGSMITH_API_KEY=lsv2_pt_${H(12, 76)}`] },
  // ─── chat ───
  {
    id: 'secret-slack-bot-token',
    positive: [`SLACK_BOT_TOKEN=${'xox' + 'b-' + D(12, 78) + '-' + D(13, 79) + '-' + A(24, 80)}`],
    negative: [`SLACK_BOT_TOKEN=${'xox' + 'b-' + D(5, 78) + '-' + A(24, 80)}`, 'SLACK_BOT_TOKEN=xoxb-your-bot-token'],
  },
  {
    id: 'secret-slack-user-token',
    positive: [`token: ${'xox' + 'p-' + D(12, 81) + '-' + D(12, 82) + '-' + D(13, 83) + '-' + H(32, 84)}`],
    negative: [`token: ${'xox' + 'p-' + D(12, 81) + '-' + D(12, 82) + '-' + H(32, 84)}`],
  },
  {
    id: 'secret-slack-app-token',
    positive: [`SLACK_APP_TOKEN=${'xa' + 'pp-1-' + fake(UPPER_ALNUM, 11, 85) + '-' + D(13, 86) + '-' + H(64, 87)}`],
    negative: [`SLACK_APP_TOKEN=${'xa' + 'pp-1-' + fake(UPPER_ALNUM, 11, 85) + '-' + D(13, 86) + '-' + H(20, 87)}`],
  },
  {
    id: 'secret-slack-legacy-token',
    positive: [`SLACK_TOKEN=${'xox' + 's-' + D(10, 88) + '-' + D(11, 89) + '-' + A(32, 90)}`, `refresh=${'xox' + 'e-1-' + A(140, 91)}`],
    negative: ['SLACK_TOKEN=xoxs-abc', `refresh=${'xox' + 'e-1-' + A(20, 91)}`],
  },
  {
    id: 'secret-slack-webhook-url',
    positive: [`SLACK_WEBHOOK=https://hooks.slack.com/services/T${fake(UPPER_ALNUM, 10, 92)}/B${fake(UPPER_ALNUM, 10, 93)}/${A(24, 94)}`],
    negative: ['SLACK_WEBHOOK=https://hooks.slack.com/services/T000/B000/XXXX', `https://hooks.slack.com/services/T${fake(UPPER_ALNUM, 10, 92)}/B${fake(UPPER_ALNUM, 10, 93)}/${'X'.repeat(24)}`],
  },
  {
    id: 'secret-discord-webhook-url',
    positive: [`url = "https://discord.com/api/webhooks/${D(18, 95)}/${U(68, 96)}"`],
    negative: [`url = "https://discord.com/api/webhooks/${D(10, 95)}/${U(68, 96)}"`, `url = "https://discord.com/api/webhooks/${D(18, 95)}/${U(20, 96)}"`],
  },
  {
    id: 'secret-discord-bot-token',
    positive: [`DISCORD_BOT_TOKEN=${b64url(D(18, 97))}.${U(6, 98)}.${U(38, 99)}`],
    negative: [`DISCORD_BOT_TOKEN=${b64url('1a2b3c4d5e6f7g8h9i')}.${U(6, 98)}.${U(38, 99)}`, `no context: ${b64url(D(18, 97))}.${U(6, 98)}.${U(38, 99)}`],
  },
  {
    id: 'secret-telegram-bot-token',
    positive: [`TELEGRAM_BOT_TOKEN=${D(10, 100)}:AA${U(33, 101)}`],
    negative: [`TELEGRAM_BOT_TOKEN=${D(10, 100)}:AB${U(33, 101)}`, `TELEGRAM_BOT_TOKEN=${D(5, 100)}:AA${U(33, 101)}`, `botToken: "${'123456' + ':AB' + 'C-DEF1234ghIkl-zyx57W2v1u123ew11'}"`],
  },
  {
    id: 'secret-microsoft-teams-webhook-url',
    positive: [`TEAMS_WEBHOOK=https://acme.webhook.office.com/webhookb2/${uuid(102)}@${uuid(107)}/IncomingWebhook/${A(32, 112)}/${uuid(113)}`],
    negative: [`TEAMS_WEBHOOK=https://acme.webhook.office.com/webhookb2/${uuid(102)}@${uuid(107)}/IncomingWebhook/`],
  },
  {
    id: 'secret-azure-logic-app-trigger-url',
    positive: [`https://prod-12.westus.logic.azure.com:443/workflows/${H(32, 118)}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${U(43, 119)}`],
    negative: [`https://prod-12.westus.logic.azure.com:443/workflows/${H(32, 118)}/triggers/manual/paths/invoke?api-version=2016-06-01&sig=short`],
  },
  // ─── payments ───
  {
    id: 'secret-stripe-secret-key',
    positive: [`STRIPE_SECRET_KEY=${'sk_' + 'live_' + A(24, 120)}`, `Stripe.api_key = '${'sk_' + 'live_' + A(99, 121)}'`],
    negative: [`STRIPE_SECRET_KEY=${'sk_' + 'live_' + A(10, 120)}`, `STRIPE_SECRET_KEY=${'sk_' + 'test_' + A(24, 120)}`],
  },
  { id: 'secret-stripe-restricted-key', positive: [`key=${'rk_' + 'live_' + A(24, 122)}`], negative: [`key=${'rk_' + 'live_' + A(8, 122)}`] },
  {
    id: 'secret-stripe-test-key',
    positive: [`STRIPE_KEY=${'sk_' + 'test_' + A(24, 123)}`, `key=${'rk_' + 'test_' + A(24, 124)}`],
    negative: [`STRIPE_KEY=${'sk_' + 'test_' + 'x'.repeat(24)}`, `STRIPE_KEY=${'pk_' + 'test_' + A(24, 123)}`],
  },
  { id: 'secret-stripe-webhook-secret', positive: [`STRIPE_WEBHOOK_SECRET=whsec_${A(32, 125)}`], negative: [`STRIPE_WEBHOOK_SECRET=whsec_${A(10, 125)}`] },
  {
    id: 'secret-square-access-token',
    positive: [`SQUARE_ACCESS_TOKEN=EAAA${U(60, 126)}`, `token=sq0atp-${U(22, 127)}`],
    negative: [`SQUARE_ACCESS_TOKEN=EAAA${U(30, 126)}`, `token=sq0atp-${U(10, 127)}`],
  },
  { id: 'secret-square-oauth-secret', positive: [`SQUARE_APP_SECRET=sq0csp-${U(43, 128)}`], negative: [`SQUARE_APP_SECRET=sq0csp-${U(20, 128)}`] },
  {
    id: 'secret-braintree-access-token',
    positive: [`BRAINTREE_TOKEN=access_token$production$${fake(LOWER_ALNUM, 16, 129)}$${H(32, 130)}`],
    negative: [`BRAINTREE_TOKEN=access_token$production$${fake(LOWER_ALNUM, 16, 129)}$${H(16, 130)}`],
  },
  {
    id: 'secret-braintree-sandbox-token',
    positive: [`BRAINTREE_TOKEN=access_token$sandbox$${fake(LOWER_ALNUM, 16, 131)}$${H(32, 132)}`],
    negative: [`BRAINTREE_TOKEN=access_token$sandbox$${fake(LOWER_ALNUM, 8, 131)}$${H(32, 132)}`],
  },
  { id: 'secret-shopify-access-token', positive: [`SHOPIFY_TOKEN=shpat_${H(32, 133)}`, `shppa_${H(32, 134)}`], negative: [`SHOPIFY_TOKEN=shpat_${H(16, 133)}`] },
  { id: 'secret-shopify-shared-secret', positive: [`SHOPIFY_SHARED_SECRET=shpss_${H(32, 135)}`], negative: [`SHOPIFY_SHARED_SECRET=shpss_${H(16, 135)}`] },
  { id: 'secret-shippo-api-token', positive: [`SHIPPO_TOKEN=shippo_live_${H(40, 136)}`], negative: [`SHIPPO_TOKEN=shippo_test_${H(40, 136)}`] },
  // ─── messaging and SaaS ───
  {
    id: 'secret-twilio-api-key',
    positive: [`TWILIO_API_KEY=SK${H(32, 137)}`],
    negative: [`TWILIO_API_KEY=SK${H(32, 137).toUpperCase()}`, `TWILIO_API_KEY=SK${H(20, 137)}`],
  },
  {
    id: 'secret-twilio-auth-token',
    positive: [`TWILIO_AUTH_TOKEN=${H(32, 138)}`, `twilio.auth_token: "${H(32, 139)}"`],
    negative: [`TWILIO_AUTH_TOKEN=${H(20, 138)}`, 'TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN}'],
  },
  {
    id: 'secret-sendgrid-api-key',
    positive: [`SENDGRID_API_KEY=SG.${U(22, 140)}.${U(43, 141)}`],
    negative: [`SENDGRID_API_KEY=SG.${U(10, 140)}.${U(43, 141)}`, 'SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.yyyy'],
  },
  { id: 'secret-brevo-api-key', positive: [`BREVO_API_KEY=xkeysib-${H(64, 142)}-${A(16, 143)}`], negative: [`BREVO_API_KEY=xkeysib-${H(30, 142)}-${A(16, 143)}`] },
  {
    id: 'secret-mailgun-api-key',
    positive: [`MAILGUN_API_KEY=key-${H(32, 144)}`, `mailgun:\n  key: ${H(32, 145)}-${H(8, 146)}-${H(8, 147)}`],
    negative: [`cache_key = "key-${H(32, 144)}"`, `MAILGUN_API_KEY=key-${H(12, 144)}`],
  },
  { id: 'secret-mailchimp-api-key', positive: [`MAILCHIMP_KEY=${H(32, 148)}-us12`], negative: [`MAILCHIMP_KEY=${H(20, 148)}-us12`, `lang=${H(32, 148)}-eu1`] },
  { id: 'secret-postman-api-key', positive: [`POSTMAN_API_KEY=PMAK-${H(24, 149)}-${H(34, 150)}`], negative: [`POSTMAN_API_KEY=PMAK-${H(24, 149)}`] },
  { id: 'secret-linear-api-key', positive: [`LINEAR_API_KEY=lin_api_${A(40, 151)}`], negative: [`LINEAR_API_KEY=lin_api_${A(12, 151)}`] },
  { id: 'secret-linear-oauth-token', positive: [`token=lin_oauth_${H(64, 152)}`], negative: [`token=lin_oauth_${H(20, 152)}`] },
  {
    id: 'secret-notion-integration-token',
    positive: [`NOTION_TOKEN=ntn_${A(46, 153)}`, `NOTION_TOKEN=secret_${A(43, 154)}`],
    negative: [`NOTION_TOKEN=secret_${A(10, 154)}`, 'client_secret_name_for_the_vault_lookup_of_the_service_account_x'],
  },
  // ─── packages and registries ───
  {
    id: 'secret-npm-access-token',
    positive: [`NPM_TOKEN=npm_${A(36, 155)}`],
    negative: [`NPM_TOKEN=npm_${A(20, 155)}`, 'npm_config_cache_directory_for_the_build_of_the_app'],
  },
  {
    id: 'secret-npmrc-auth',
    positive: [`//registry.npmjs.org/:_authToken=${uuid(156)}`, `_auth=${b64(`ci:${pw(161)}`)}\nalways-auth=true`, `RUN echo "//npm.internal/:_authToken=${U(40, 162)}" > .npmrc`],
    negative: ['//registry.npmjs.org/:_authToken=${NPM_TOKEN}', 'self._password = password', '    this._auth = options.auth'],
  },
  {
    id: 'secret-pypi-upload-token',
    positive: [`TWINE_PASSWORD=pypi-${'AgEIcHlwaS5vcmc'}${U(150, 163)}`],
    negative: [`TWINE_PASSWORD=pypi-${'AgEIcHlwaS5vcmc'}${U(20, 163)}`],
  },
  {
    id: 'secret-pypi-test-upload-token',
    positive: [`TWINE_PASSWORD=pypi-${'AgENdGVzdC5weXBpLm9yZw'}${U(150, 164)}`],
    negative: [`TWINE_PASSWORD=pypi-${'AgENdGVzdC5weXBpLm9yZw'}${U(20, 164)}`],
  },
  {
    id: 'secret-pypirc-password',
    path: '/root/.pypirc',
    positive: [`[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pypi.internal/\nusername = ci\npassword = ${pw(165)}\n`],
    negative: ['[internal]\nusername = ci\npassword = %(PYPI_PASSWORD)s\n', '[internal]\nusername = ci\npassword = <your password>\n'],
  },
  {
    id: 'secret-pypirc-password',
    path: '/srv/app/notes.txt',
    positive: [],
    negative: [`[internal]\nusername = ci\npassword = ${pw(165)}\n`],
  },
  { id: 'secret-rubygems-api-key', positive: [`GEM_HOST_API_KEY=rubygems_${H(48, 166)}`], negative: [`GEM_HOST_API_KEY=rubygems_${H(20, 166)}`] },
  {
    id: 'secret-rubygems-credentials-file',
    path: '/root/.gem/credentials',
    positive: [`---\n:rubygems_api_key: ${H(32, 167)}\n`],
    negative: ['---\n:rubygems_api_key: 0000000000000000000000000000000\n', `---\n:rubygems_api_key: ${H(20, 167)}\n`],
  },
  { id: 'secret-nuget-api-key', positive: [`dotnet nuget push app.nupkg --api-key oy2${fake(LOWER_ALNUM, 43, 168)}`], negative: [`--api-key oy2${fake(LOWER_ALNUM, 20, 168)}`] },
  {
    id: 'secret-nuget-config-password',
    positive: [`<packageSourceCredentials>\n  <internal>\n    <add key="Username" value="ci" />\n    <add key="ClearTextPassword" value="${pw(169)}" />\n  </internal>\n</packageSourceCredentials>`],
    negative: ['<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />', `<!--\n    <add key="ClearTextPassword" value="${pw(169)}" />\n-->`],
  },
  { id: 'secret-private-packagist-token', positive: [`COMPOSER_AUTH=packagist_out_${H(68, 170)}`], negative: [`COMPOSER_AUTH=packagist_out_${H(20, 170)}`] },
  { id: 'secret-clojars-token', positive: [`CLOJARS_TOKEN=CLOJARS_${fake(LOWER_ALNUM, 60, 171)}`], negative: [`CLOJARS_TOKEN=CLOJARS_${fake(LOWER_ALNUM, 20, 171)}`] },
  {
    id: 'secret-jfrog-api-key',
    positive: [`ARTIFACTORY_API_KEY=AKCp${A(69, 172)}`, `JFROG_TOKEN=cmVmdGtuOjAx${A(60, 173)}`],
    negative: [`ARTIFACTORY_API_KEY=AKCp${A(20, 172)}`],
  },
  {
    id: 'secret-docker-hub-token',
    positive: [`echo ${'dckr_' + 'pat_' + U(27, 174)} | docker login -u acme --password-stdin`],
    negative: [`echo ${'dckr_' + 'pat_' + U(10, 174)}`, `echo ${'dckr_' + 'xyz_' + U(27, 174)}`],
  },
  {
    id: 'secret-docker-config-auth',
    positive: [JSON.stringify({ auths: { 'registry.internal:5000': { auth: b64(`robot:${pw(175)}`) } } }, null, '\t')],
    negative: [
      JSON.stringify({ auths: { 'registry.internal:5000': { auth: b64(A(24, 176)) } } }),
      JSON.stringify({ auths: { 'registry.internal:5000': {} }, credsStore: 'desktop' }),
      JSON.stringify({ plugins: { auth: b64(`robot:${pw(175)}`) } }),
    ],
  },
  { id: 'secret-sonarqube-token', positive: [`SONAR_TOKEN=squ_${H(40, 177)}`], negative: [`SONAR_TOKEN=squ_${H(20, 177)}`] },
  // ─── cloud and developer platforms ───
  { id: 'secret-heroku-api-key', positive: [`HEROKU_API_KEY=HRKU-${U(60, 178)}`], negative: [`HEROKU_API_KEY=HRKU-${U(20, 178)}`] },
  { id: 'secret-heroku-api-key-legacy', positive: [`HEROKU_API_KEY=${uuid(179)}`], negative: ['HEROKU_APP_NAME=my-app', `HEROKU_API_KEY=${H(8, 179)}-${H(4, 180)}`] },
  {
    id: 'secret-digitalocean-token',
    positive: [`DIGITALOCEAN_TOKEN=${'dop_' + 'v1_' + H(64, 184)}`, `refresh=${'dor_' + 'v1_' + H(64, 185)}`],
    negative: [`DIGITALOCEAN_TOKEN=${'dop_' + 'v1_' + H(32, 184)}`, `DIGITALOCEAN_TOKEN=${'dop_' + 'v2_' + H(64, 184)}`],
  },
  {
    id: 'secret-doppler-token',
    positive: [`DOPPLER_TOKEN=dp.pt.${A(43, 186)}`, `DOPPLER_TOKEN=dp.st.prd.${A(40, 187)}`],
    negative: [`DOPPLER_TOKEN=dp.pt.${A(10, 186)}`, `DOPPLER_TOKEN=dp.zz.${A(43, 186)}`],
  },
  { id: 'secret-terraform-cloud-token', positive: [`token = "${A(14, 188)}.atlasv1.${U(67, 189)}"`], negative: [`token = "${A(14, 188)}.atlasv1.${U(20, 189)}"`] },
  { id: 'secret-vault-token', positive: [`VAULT_TOKEN=hvs.${U(91, 190)}`, `X-Vault-Token: hvb.${U(120, 191)}`], negative: [`VAULT_TOKEN=hvs.${U(10, 190)}`, 'VAULT_TOKEN=hvs.xxxxxxxxxxxxxxxxxxxxxxxxxxxx'] },
  { id: 'secret-vault-token-legacy', positive: [`VAULT_TOKEN=s.${A(24, 192)}`], negative: [`VAULT_TOKEN=s.${A(10, 192)}`, `OTHER_TOKEN=s.${A(24, 192)}`] },
  { id: 'secret-pulumi-access-token', positive: [`PULUMI_ACCESS_TOKEN=pul-${H(40, 193)}`], negative: [`PULUMI_ACCESS_TOKEN=pul-${H(20, 193)}`] },
  { id: 'secret-databricks-token', positive: [`DATABRICKS_TOKEN=dapi${H(32, 194)}`, `token: dapi${H(32, 195)}-2`], negative: [`DATABRICKS_TOKEN=dapi${H(16, 194)}`] },
  {
    id: 'secret-grafana-cloud-token',
    positive: [`GRAFANA_CLOUD_TOKEN=glc_${b64(JSON.stringify({ o: D(6, 196), n: `stack-${A(6, 197)}`, k: A(24, 198), m: { r: 'prod-us-east-0' } }))}`],
    negative: [`GRAFANA_CLOUD_TOKEN=glc_${A(40, 196)}`, `GRAFANA_CLOUD_TOKEN=glc_${b64('{"o":"1"}')}`],
  },
  { id: 'secret-grafana-service-account-token', positive: [`GRAFANA_TOKEN=glsa_${A(32, 199)}_${H(8, 200)}`], negative: [`GRAFANA_TOKEN=glsa_${A(32, 199)}`] },
  {
    id: 'secret-grafana-api-key',
    positive: [`GRAFANA_API_KEY=${b64(JSON.stringify({ k: A(32, 201), n: 'deploy', id: 1 }))}`],
    negative: [`GRAFANA_API_KEY=${b64(JSON.stringify({ k: 'a' }))}`],
  },
  { id: 'secret-new-relic-user-api-key', positive: [`NEW_RELIC_API_KEY=NRAK-${fake(UPPER_ALNUM, 27, 202)}`], negative: [`NEW_RELIC_API_KEY=NRAK-${fake(UPPER_ALNUM, 12, 202)}`] },
  { id: 'secret-new-relic-insert-key', positive: [`NEW_RELIC_INSERT_KEY=NRII-${U(32, 203)}`], negative: [`NEW_RELIC_INSERT_KEY=NRII-${U(12, 203)}`] },
  { id: 'secret-new-relic-license-key', positive: [`NEW_RELIC_LICENSE_KEY=${H(36, 204)}NRAL`], negative: [`NEW_RELIC_LICENSE_KEY=${H(10, 204)}NRAL`] },
  {
    id: 'secret-datadog-api-key',
    positive: [`DD_API_KEY=${H(32, 205)}`, `datadog_api_key: "${H(32, 206)}"`],
    negative: [`DD_API_KEY=${H(20, 205)}`, 'DD_API_KEY=${DATADOG_API_KEY}'],
  },
  { id: 'secret-datadog-application-key', positive: [`DD_APP_KEY=${H(40, 207)}`], negative: [`DD_APP_KEY=${H(32, 207)}`] },
  {
    id: 'secret-sentry-dsn-secret',
    positive: [`SENTRY_DSN=https://${H(32, 208)}:${H(32, 209)}@sentry.internal/${D(2, 210)}`],
    negative: [`SENTRY_DSN=https://${H(32, 208)}:${H(10, 209)}@sentry.internal/${D(2, 210)}`],
  },
  {
    id: 'secret-sentry-dsn',
    positive: [`SENTRY_DSN=https://${H(32, 211)}@o${D(6, 212)}.ingest.sentry.io/${D(7, 213)}`],
    negative: [`SENTRY_DSN=https://${H(20, 211)}@o${D(6, 212)}.ingest.sentry.io/${D(7, 213)}`],
  },
  {
    id: 'secret-sentry-auth-token',
    positive: [
      `SENTRY_AUTH_TOKEN=sntrys_${b64(JSON.stringify({ iat: 1700000000.5, url: 'https://sentry.io', region_url: 'https://us.sentry.io', org: 'acme' }))}_${fake(BASE64, 43, 214)}`,
      `SENTRY_AUTH_TOKEN=sntryu_${H(64, 215)}`,
    ],
    negative: [`SENTRY_AUTH_TOKEN=sntryu_${H(20, 215)}`],
  },
  { id: 'secret-okta-api-token', positive: [`OKTA_API_TOKEN=00${U(40, 216)}`], negative: [`OKTA_API_TOKEN=00${U(12, 216)}`, `UNRELATED=00${U(40, 216)}`] },
  {
    id: 'secret-dynatrace-token',
    positive: [`DT_API_TOKEN=dt0c01.${fake(UPPER_ALNUM, 24, 217)}.${fake(UPPER_ALNUM, 64, 218)}`],
    negative: [`DT_API_TOKEN=dt0c01.${fake(UPPER_ALNUM, 24, 217)}`],
  },
  { id: 'secret-planetscale-token', positive: [`PLANETSCALE_TOKEN=pscale_tkn_${U(43, 219)}`], negative: [`PLANETSCALE_TOKEN=pscale_tkn_${U(12, 219)}`] },
  { id: 'secret-supabase-token', positive: [`SUPABASE_ACCESS_TOKEN=sbp_${H(40, 220)}`, `SUPABASE_SECRET_KEY=sb_secret_${U(40, 221)}`], negative: [`SUPABASE_ACCESS_TOKEN=sbp_${H(20, 220)}`] },
  { id: 'secret-tailscale-key', positive: [`TS_AUTHKEY=tskey-auth-${A(12, 222)}-${A(32, 223)}`], negative: ['TS_AUTHKEY=tskey-auth-XXXX', `TS_AUTHKEY=tskey-auth-${A(12, 222)}`] },
  {
    id: 'secret-1password-service-account-token',
    positive: [`OP_SERVICE_ACCOUNT_TOKEN=ops_${b64(JSON.stringify({ signInAddress: 'acme.1password.com', userAuth: { method: 'SRPg-4096', alg: 'PBES2g-HS256', iterations: 650000, salt: A(22, 224) }, email: `${A(12, 225)}@1passwordserviceaccounts.com`, srpX: H(64, 226), muk: { alg: 'A256GCM', k: U(43, 227) } }))}`],
    negative: [`OP_SERVICE_ACCOUNT_TOKEN=ops_${b64('{"signInAddress":"x"}')}`],
  },
  {
    id: 'secret-mapbox-secret-token',
    positive: [`MAPBOX_SECRET_TOKEN=sk.${b64url(JSON.stringify({ u: 'acme', a: A(20, 228) }))}.${U(22, 229)}`],
    negative: [`MAPBOX_PUBLIC_TOKEN=pk.${b64url(JSON.stringify({ u: 'acme', a: A(20, 228) }))}.${U(22, 229)}`],
  },
  { id: 'secret-circleci-token', positive: [`CIRCLECI_TOKEN=CCIPAT_${A(22, 230)}_${H(40, 231)}`], negative: [`CIRCLECI_TOKEN=CCIPAT_${A(22, 230)}`] },
  { id: 'secret-buildkite-token', positive: [`BUILDKITE_API_TOKEN=bkua_${H(40, 232)}`], negative: [`BUILDKITE_API_TOKEN=bkua_${H(20, 232)}`] },
  {
    id: 'secret-age-secret-key',
    positive: [`# created: 2024-01-01T00:00:00Z\n# public key: age1${fake(BECH32.toLowerCase(), 58, 233)}\nAGE-SECRET-KEY-1${fake(BECH32, 58, 234)}\n`],
    negative: [`AGE-SECRET-KEY-1${fake(BECH32, 30, 234)}`, `age-secret-key-1${fake(BECH32.toLowerCase(), 58, 234)}`],
  },
  // ─── keys ───
  {
    id: 'secret-private-key-rsa',
    positive: [pem('RSA PRIVATE KEY', RSA_BODY), `const key = "${pem('RSA PRIVATE KEY', RSA_BODY).replace(/\n/g, '\\n')}";`],
    negative: [
      `if (line === "${dashes}BEGIN RSA PRIVATE KEY${dashes}") start = i\nif (line === "${dashes}END RSA PRIVATE KEY${dashes}") end = i`,
      pem('RSA PRIVATE KEY', '...\n<paste your key here>\n...'),
      pem('PUBLIC KEY', pemBody(294, 235)),
      pem('RSA PRIVATE KEY', pemBody(1190, 236), `Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${H(32, 237).toUpperCase()}\n\n`),
    ],
  },
  { id: 'secret-private-key-ec', positive: [pem('EC PRIVATE KEY', pemBody(121, 238))], negative: [pem('EC PARAMETERS', pemBody(10, 239)), pem('EC PRIVATE KEY', 'x'.repeat(80))] },
  { id: 'secret-private-key-dsa', positive: [pem('DSA PRIVATE KEY', pemBody(444, 240))], negative: [pem('DSA PRIVATE KEY', '')] },
  {
    id: 'secret-private-key-openssh',
    path: '/root/.ssh/id_ed25519',
    positive: [pem('OPENSSH PRIVATE KEY', b64('openssh-key-v1\0') + pemBody(380, 241))],
    negative: [`ssh-ed25519 ${b64(A(51, 242))} user@host`],
  },
  {
    id: 'secret-private-key-pkcs8',
    positive: [pem('PRIVATE KEY', pemBody(1218, 243)), JSON.stringify({ key: pem('PRIVATE KEY', pemBody(138, 244)) })],
    negative: [pem('CERTIFICATE', pemBody(900, 245)), pem('PRIVATE KEY', '${TLS_PRIVATE_KEY}')],
  },
  {
    id: 'secret-private-key-encrypted',
    positive: [pem('ENCRYPTED PRIVATE KEY', pemBody(1298, 246)), pem('RSA PRIVATE KEY', pemBody(1190, 247), `Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${H(32, 248).toUpperCase()}\n\n`)],
    negative: [pem('RSA PRIVATE KEY', pemBody(1190, 247))],
  },
  {
    id: 'secret-private-key-pgp',
    positive: [pem('PGP PRIVATE KEY BLOCK', `${pemBody(900, 249)}\n=${fake(BASE64, 4, 250)}`, '\n')],
    negative: [pem('PGP PUBLIC KEY BLOCK', `${pemBody(900, 249)}\n=${fake(BASE64, 4, 250)}`, '\n')],
  },
  {
    id: 'secret-putty-private-key',
    positive: [
      `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\n${pemBody(51, 251)}\nPrivate-Lines: 1\n${fake(BASE64, 44, 252)}\nPrivate-MAC: ${H(64, 253)}\n`,
    ],
    negative: [`PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\n${pemBody(51, 251)}\n`],
  },
  {
    id: 'secret-kubeconfig-client-key',
    positive: [`users:\n- name: admin\n  user:\n    client-certificate-data: ${b64(pem('CERTIFICATE', pemBody(600, 254)))}\n    client-key-data: ${b64(pem('RSA PRIVATE KEY', pemBody(1190, 255)))}\n`],
    negative: [`    client-key-data: ${fake(BASE64, 200, 256)}`, '    client-key-data: ${CLIENT_KEY_DATA}'],
  },
  {
    id: 'secret-kubeconfig-token',
    positive: [`apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: ${JWT}\n`, `users:\n- name: ci\n  user:\n    as-user-extra: {}\n    token: ${U(48, 257)}\n`],
    negative: ['users:\n- name: ci\n  user:\n    token: ${KUBE_TOKEN}\n', `spec:\n  token: ${U(48, 257)}\n`],
  },
  {
    id: 'secret-jwt',
    positive: [`Cookie: session=${JWT}`],
    negative: [
      `session=${b64url(JSON.stringify({ alg: 'none' }))}.${b64url(JSON.stringify({ sub: 'x', admin: true }))}.`,
      `session=eyJ${U(20, 258)}.${U(30, 259)}.${U(43, 260)}`,
      `session=${JWT_HEADER}.${b64url(JSON.stringify({ sub: '1234567890', name: 'John Doe', iat: 1516239022 }))}.${U(43, 261)}`,
    ],
  },
  // ─── URLs and configuration files ───
  {
    id: 'secret-postgres-url-password',
    positive: [`DATABASE_URL=postgres://app:${pw(262)}@db.internal:5432/app`, `sqlalchemy.url = postgresql+psycopg2://app:${pw(263)}@10.0.0.12/app`],
    negative: [
      'DATABASE_URL=postgres://postgres:postgres@localhost:5432/app',
      'DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app',
      'DATABASE_URL=postgres://app@db:5432/app',
      `DATABASE_URL=postgres://app:${pw(262)}@db.example.com/app`,
      'DATABASE_URL=postgres://user:mysecretpassword@db/app',
    ],
  },
  { id: 'secret-mysql-url-password', positive: [`MYSQL_URL=mysql://root:${pw(264)}@mysql:3306/shop`], negative: ['MYSQL_URL=mysql://root:root@mysql:3306/shop', 'MYSQL_URL=mysql://root:<password>@mysql/shop'] },
  {
    id: 'secret-mongodb-url-password',
    positive: [`MONGO_URL=mongodb+srv://svc:${pw(265)}@cluster0.ab1cd.mongodb.net/app?retryWrites=true`],
    negative: ['MONGO_URL=mongodb://mongo:27017/app', 'MONGO_URL=mongodb+srv://svc:****@cluster0.mongodb.net/app'],
  },
  { id: 'secret-redis-url-password', positive: [`REDIS_URL=rediss://:${pw(266)}@cache.internal:6380/0`], negative: ['REDIS_URL=redis://:redis@cache:6379/0', 'REDIS_URL=redis://cache:6379/0'] },
  { id: 'secret-amqp-url-password', positive: [`AMQP_URL=amqps://orders:${pw(267)}@mq.internal/orders`], negative: ['AMQP_URL=amqp://guest:guest@rabbitmq:5672/', 'AMQP_URL=amqp://orders:%(password)s@mq/'] },
  {
    id: 'secret-jdbc-password',
    positive: [`jdbc:sqlserver://db.internal:1433;databaseName=app;user=sa;password=${pw(268)}`, `url=jdbc:mysql://db/app?user=app&password=${pw(269)}&useSSL=true`],
    negative: ['jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=${env:DB_PASSWORD}', 'jdbc:postgresql://db/app?user=app'],
  },
  {
    id: 'secret-connection-string-password',
    positive: [`"Default": "Server=tcp:acme.database.windows.net,1433;Database=app;User ID=app;Password=${pw(270)};Encrypt=true"`],
    negative: ['"Default": "Server=db;Database=app;User ID=app;Password=<password>;"', '"Default": "Server=db;Database=app;Integrated Security=true"'],
  },
  {
    id: 'secret-git-url-credentials',
    positive: [`https://oauth2:${pw(271)}@gitlab.com/acme/app.git`, `https://ci-bot:${pw(272)}@github.com\n`],
    negative: ['https://github.com/acme/app.git', `https://ci-bot:${pw(272)}@git.example.com/acme/app.git`],
  },
  {
    id: 'secret-url-password',
    positive: [`https_proxy=http://proxyuser:${pw(273)}@proxy.corp:3128`, `ftp://upload:${pw(274)}@files.internal/incoming/`],
    negative: ['http://abc:xyz@example.com', 'https://a:b@xn--g6w251d/?abc#foo', 'http://localhost:8080@host', 'http://user:$PROXY_PASSWORD@proxy:3128', 'http://jschmoe:xyzzy@www.bogus.net:8000/'],
  },
  {
    id: 'secret-netrc-password',
    positive: [`machine api.github.com\n  login ci-bot\n  password ${pw(275)}\n`, `machine nexus.internal login deploy password ${pw(276)}`],
    negative: ['default login anonymous password user@site', 'The machine will ask for the password twice.', 'machine nexus.internal login deploy password ${NEXUS_PASSWORD}'],
  },
  {
    id: 'secret-pgpass-password',
    path: '/home/app/.pgpass',
    positive: [`db.internal:5432:app:app:${pw(277)}\n`, `# comment\n*:*:*:replicator:${pw(278)}`],
    negative: ['# hostname:port:database:username:password\n', 'db:5432:app:app:postgres\n'],
  },
  {
    id: 'secret-mysql-option-file-password',
    path: '/root/.my.cnf',
    positive: [`[client]\nuser=root\npassword=${pw(279)}\n`, `[client]\npassword = "${pw(280)}"\n`],
    negative: ['[client]\nuser=root\npassword=\n', '[client]\npassword=changeme\n'],
  },
  {
    id: 'secret-maven-settings-password',
    path: '/root/.m2/settings.xml',
    positive: [`<settings><servers><server><id>nexus</id><username>deploy</username><password>${pw(281)}</password></server></servers></settings>`],
    negative: ['<server><id>nexus</id><username>deploy</username><password>${env.NEXUS_PASSWORD}</password></server>', `<!--\n<server>\n  <password>${pw(281)}</password>\n</server>\n-->`],
  },
  {
    id: 'secret-maven-settings-security-master',
    positive: [`<settingsSecurity>\n  <master>{${fake(BASE64, 44, 282)}}</master>\n</settingsSecurity>`],
    negative: ['<settingsSecurity><master>{}</master></settingsSecurity>'],
  },
  {
    id: 'secret-xml-password-element',
    path: '/opt/app/conf/datasource.xml',
    positive: [`<datasource><user>app</user><password>${pw(283)}</password></datasource>`],
    negative: ['<password>${DB_PASSWORD}</password>', '<password></password>', `<!-- <password>${pw(283)}</password> -->`],
  },
  {
    id: 'secret-wordpress-db-password',
    positive: [`define( 'DB_PASSWORD', '${pw(284)}' );`],
    negative: ["define( 'DB_PASSWORD', 'password_here' );", "define( 'DB_PASSWORD', getenv('WORDPRESS_DB_PASSWORD') );"],
  },
  {
    id: 'secret-wordpress-auth-salt',
    positive: [`define( 'AUTH_KEY',         '${fake(`${ALNUM}!@#%^&*()-_[]{}<>~+=,.;:/?|`, 64, 285)}' );`],
    negative: ["define( 'AUTH_KEY',         'put your unique phrase here' );"],
  },
  {
    id: 'secret-http-authorization-header',
    positive: [`curl -H "Authorization: Bearer ${U(40, 286)}" https://api.internal/v1/deploy`, `Authorization: Basic ${b64(`deploy:${pw(287)}`)}`],
    negative: ['curl -H "Authorization: Bearer $TOKEN" https://api.internal', 'curl -H "Authorization: Bearer ${API_TOKEN}" https://api.internal', 'Authorization: Bearer <token>'],
  },
  {
    id: 'secret-http-api-key-header',
    positive: [`curl -H "X-Api-Key: ${A(32, 288)}" https://api.internal`, `--header "PRIVATE-TOKEN: ${A(20, 289)}"`],
    negative: ['curl -H "X-Api-Key: <api-key>" https://api.internal', 'curl -H "X-Api-Key: $API_KEY"'],
  },
  {
    id: 'secret-cli-password-argument',
    positive: [`curl -fsS -u deploy:${pw(290)} https://repo.internal/upload`, `sshpass -p '${pw(291)}' ssh deploy@host`, `mysql -uroot -p${pw(292)} shop < dump.sql`, `wget --password=${pw(293)} https://files.internal/a.tgz`],
    negative: ['curl -u "$USER:$PASS" https://repo.internal', 'useradd -u 1000 app', 'docker run -u 1000:1000 app', "$_[0]='--password --inputbox'", 'pip install --username and --password options'],
  },
  // ─── generic ───
  {
    id: 'secret-generic-password',
    positive: [`DB_PASSWORD=${pw(294)}`, `password = "${pw(295)}"`, `{"password": "${pw(296)}"}`, `    smtp_password: ${pw(297)}`],
    negative: [
      'password = "changeme"',
      'password: ${PASSWORD}',
      'password = "<password>"',
      'password = "xxxxxxxx"',
      'password = "********"',
      'password = os.getenv("DB_PASSWORD")',
      'PASSWORD_FILE=/run/secrets/db_password',
      'password = "Enter your password"',
      'my $pwd = `command /c cd`;',
      'if password == "hunter22x":',
      'passwords = ["a", "b"]',
      'password = self.password2',
    ],
  },
  {
    id: 'secret-generic-secret',
    positive: [`client_secret = "${A(32, 298)}"`, `JWT_SECRET=${A(40, 299)}`],
    negative: [`SECRET_KEY = "${'x'.repeat(32)}"`, 'secret: ${SECRET}', 'client_secret = "your_client_secret"', `client_secret = "${A(8, 298)}"`],
  },
  {
    id: 'secret-generic-api-key',
    positive: [`apiKey: "${A(32, 300)}"`, `WEATHER_API_KEY=${A(32, 301)}`],
    negative: ['API_KEY=${API_KEY}', 'apiKey: "YOUR_API_KEY"', 'exports.CfnApiKey=exports.CfnAccount=void 0', '"AWS::IAM::AccessKey": "aws-cdk-lib/aws-iam.CfnAccessKey"'],
  },
  {
    id: 'secret-generic-token',
    positive: [`access_token = "${A(40, 302)}"`, `BOT_TOKEN=${A(40, 303)}`],
    negative: [`nextToken = "${A(40, 302)}"`, 'token = "Bearer"', 'token: ${TOKEN}', 'nextLastSignificantToken = "?NonExpressionParenEnd";', `"Lock-Token: urn:uuid:${uuid(304)}"`],
  },
]
