# Generated from openapi/openapi.json by scripts/generate-connector.ts. Do not edit by hand:
# change the API's route schemas or the generator, then run `npm run generate`.
{
  title: 'Tajo',
  connection: {
    fields: [
      {
        name: 'base_url',
        label: 'Tajo base URL',
        type: 'string',
        control_type: 'url',
        optional: false,
        hint: 'Where your Tajo API runs: https://tajo.example.com in production, your staging URL for staging, http://127.0.0.1:3000 for a local <b>npm start</b> (through an on-prem agent).'
      },
      {
        name: 'auth_type',
        label: 'Authentication',
        type: 'string',
        control_type: 'select',
        options: [
          [
            'API key',
            'api_key'
          ],
          [
            'OAuth2 client credentials',
            'client_credentials'
          ]
        ],
        default: 'api_key',
        optional: false,
        extends_schema: true,
        toggle_hint: 'Select from list',
        toggle_field: {
          name: 'auth_type',
          label: 'Authentication',
          type: 'string',
          control_type: 'text',
          optional: false,
          toggle_hint: 'Use custom value',
          hint: 'api_key or client_credentials'
        },
        hint: 'An API key on every request, or OAuth2 client credentials: the key is exchanged for bearer tokens that expire within the hour.'
      },
      {
        name: 'api_key',
        label: 'API key',
        type: 'string',
        control_type: 'password',
        optional: false,
        hint: 'A Tajo API key (tajo_…). Actions that write need the <b>write</b> scope; triggers and lookups need <b>read</b>.',
        ngIf: 'input.auth_type != "client_credentials"'
      },
      {
        name: 'client_id',
        label: 'Client ID',
        type: 'string',
        control_type: 'text',
        optional: false,
        ngIf: 'input.auth_type == "client_credentials"',
        hint: 'The API key\'s ID (GET /v1/api-keys lists them).'
      },
      {
        name: 'client_secret',
        label: 'Client secret',
        type: 'string',
        control_type: 'password',
        optional: false,
        ngIf: 'input.auth_type == "client_credentials"',
        hint: 'The API key itself (tajo_…). Actions that write need the <b>write</b> scope; triggers and lookups need <b>read</b>.'
      }
    ],
    authorization: {
      type: 'custom_auth',
      acquire: lambda do |connection|
        next {} unless connection['auth_type'] == 'client_credentials'

        token = post('v1/oauth/token')
                .payload(grant_type: 'client_credentials', client_id: connection['client_id'], client_secret: connection['client_secret'])
                .request_format_www_form_urlencoded
                .after_error_response(400, 401) do |code, body, _headers, message|
                  error(call('problem_message', code, body, message))
                end
        { access_token: token['access_token'] }
      end,
      refresh_on: [
        401
      ],
      apply: lambda do |connection|
        if connection['auth_type'] == 'client_credentials'
          headers('Authorization' => "Bearer #{connection['access_token']}")
        else
          headers('X-API-Key' => connection['api_key'])
        end
      end
    },
    base_uri: lambda do |connection|
      "#{connection['base_url'].to_s.strip.sub(%r{/+\z}, '')}/"
    end
  },
  test: lambda do |_connection|
    # Get the workspace of this API key: proves the URL and key, and names the workspace the key belongs to.
    call('tajo_request', 'get', 'v1/workspace', nil, nil, nil)
  end,
  object_definitions: {
    campaign_draft: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'listId',
            label: 'List ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'subject',
            label: 'Subject',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'sender',
            label: 'Sender',
            type: 'object',
            optional: false,
            properties: [
              {
                name: 'name',
                label: 'Name',
                type: 'string',
                control_type: 'text',
                optional: false
              },
              {
                name: 'email',
                label: 'Email',
                type: 'string',
                control_type: 'text',
                optional: false
              }
            ]
          },
          {
            name: 'templateId',
            label: 'Template ID',
            type: 'integer',
            control_type: 'integer',
            optional: false
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Queued',
                'queued'
              ],
              [
                'Created',
                'created'
              ],
              [
                'Failed',
                'failed'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'queued until the draft exists in Brevo (created), or Brevo refused it (failed, with a dead letter).'
            },
            hint: 'queued until the draft exists in Brevo (created), or Brevo refused it (failed, with a dead letter).'
          },
          {
            name: 'brevoCampaignId',
            label: 'Brevo campaign ID',
            type: 'integer',
            control_type: 'integer',
            optional: false
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'updatedAt',
            label: 'Updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          }
        ]
      end
    },
    contact: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Tajo ID.'
          },
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'source',
            label: 'Source',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'sourceId',
            label: 'Source ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'email',
            label: 'Email',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'phone',
            label: 'Phone',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'E.164.'
          },
          {
            name: 'firstName',
            label: 'First name',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'lastName',
            label: 'Last name',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'locale',
            label: 'Locale',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'lifetimeValue',
            label: 'Lifetime value',
            type: 'object',
            optional: false,
            hint: 'ISO 4217 currency and the amount in its minor units.',
            properties: [
              {
                name: 'currency',
                label: 'Currency',
                type: 'string',
                control_type: 'text',
                optional: false
              },
              {
                name: 'amountMinor',
                label: 'Amount minor',
                type: 'integer',
                control_type: 'integer',
                optional: false
              }
            ]
          },
          {
            name: 'consent',
            label: 'Consent',
            type: 'object',
            optional: false,
            properties: [
              {
                name: 'email',
                label: 'Email',
                type: 'object',
                optional: true,
                properties: [
                  {
                    name: 'status',
                    label: 'Status',
                    type: 'string',
                    control_type: 'select',
                    options: [
                      [
                        'Opted in',
                        'opted_in'
                      ],
                      [
                        'Opted out',
                        'opted_out'
                      ],
                      [
                        'Pending',
                        'pending'
                      ]
                    ],
                    optional: false,
                    toggle_hint: 'Select from list',
                    toggle_field: {
                      name: 'status',
                      label: 'Status',
                      type: 'string',
                      control_type: 'text',
                      optional: false,
                      toggle_hint: 'Use custom value'
                    }
                  },
                  {
                    name: 'source',
                    label: 'Source',
                    type: 'string',
                    control_type: 'text',
                    optional: false
                  },
                  {
                    name: 'timestamp',
                    label: 'Timestamp',
                    type: 'date_time',
                    control_type: 'date_time',
                    optional: false
                  }
                ]
              },
              {
                name: 'sms',
                label: 'SMS',
                type: 'object',
                optional: true,
                properties: [
                  {
                    name: 'status',
                    label: 'Status',
                    type: 'string',
                    control_type: 'select',
                    options: [
                      [
                        'Opted in',
                        'opted_in'
                      ],
                      [
                        'Opted out',
                        'opted_out'
                      ],
                      [
                        'Pending',
                        'pending'
                      ]
                    ],
                    optional: false,
                    toggle_hint: 'Select from list',
                    toggle_field: {
                      name: 'status',
                      label: 'Status',
                      type: 'string',
                      control_type: 'text',
                      optional: false,
                      toggle_hint: 'Use custom value'
                    }
                  },
                  {
                    name: 'source',
                    label: 'Source',
                    type: 'string',
                    control_type: 'text',
                    optional: false
                  },
                  {
                    name: 'timestamp',
                    label: 'Timestamp',
                    type: 'date_time',
                    control_type: 'date_time',
                    optional: false
                  }
                ]
              },
              {
                name: 'whatsapp',
                label: 'Whatsapp',
                type: 'object',
                optional: true,
                properties: [
                  {
                    name: 'status',
                    label: 'Status',
                    type: 'string',
                    control_type: 'select',
                    options: [
                      [
                        'Opted in',
                        'opted_in'
                      ],
                      [
                        'Opted out',
                        'opted_out'
                      ],
                      [
                        'Pending',
                        'pending'
                      ]
                    ],
                    optional: false,
                    toggle_hint: 'Select from list',
                    toggle_field: {
                      name: 'status',
                      label: 'Status',
                      type: 'string',
                      control_type: 'text',
                      optional: false,
                      toggle_hint: 'Use custom value'
                    }
                  },
                  {
                    name: 'source',
                    label: 'Source',
                    type: 'string',
                    control_type: 'text',
                    optional: false
                  },
                  {
                    name: 'timestamp',
                    label: 'Timestamp',
                    type: 'date_time',
                    control_type: 'date_time',
                    optional: false
                  }
                ]
              }
            ]
          },
          {
            name: 'attributes',
            label: 'Attributes',
            type: 'object',
            optional: false,
            hint: 'Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          },
          {
            name: 'sourceCreatedAt',
            label: 'Source created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'sourceUpdatedAt',
            label: 'Source updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'version',
            label: 'Version',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'Goes up by one with every change.'
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'updatedAt',
            label: 'Updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          }
        ]
      end
    },
    contact_batch_request_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'records',
            label: 'Records',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['contact_record_input']
          }
        ]
      end
    },
    contact_batch_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'results',
            label: 'Results',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['record_result']
          },
          {
            name: 'counts',
            label: 'Counts',
            type: 'object',
            optional: false,
            properties: [
              {
                name: 'created',
                label: 'Created',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'updated',
                label: 'Updated',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'unchanged',
                label: 'Unchanged',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'stale',
                label: 'Stale',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'rejected',
                label: 'Rejected',
                type: 'integer',
                control_type: 'integer',
                optional: false
              }
            ]
          }
        ]
      end
    },
    contact_deletion: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Deleted',
                'deleted'
              ],
              [
                'Erased',
                'erased'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          }
        ]
      end
    },
    contact_page: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'data',
            label: 'Data',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['contact']
          },
          {
            name: 'nextCursor',
            label: 'Next cursor',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Pass as `cursor` for the next page; null on the last page.'
          }
        ]
      end
    },
    contact_patch_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'email',
            label: 'Email',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Trimmed, lower-cased; international domains are stored in their ASCII (punycode) form.'
          },
          {
            name: 'phone',
            label: 'Phone',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Any common format; stored in E.164.'
          },
          {
            name: 'phoneRegion',
            label: 'Phone region',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'ISO 3166-1 alpha-2 region for a phone without country code; the workspace\'s default otherwise.'
          },
          {
            name: 'firstName',
            label: 'First name',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'lastName',
            label: 'Last name',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'locale',
            label: 'Locale',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'BCP 47, e.g. fr-CA (en_us is understood).'
          },
          {
            name: 'sourceCreatedAt',
            label: 'Source created at',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Epoch seconds or milliseconds, RFC 3339 with any offset, or a date (YYYY-MM-DD). Stored as UTC.'
          },
          {
            name: 'sourceUpdatedAt',
            label: 'Source updated at',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Epoch seconds or milliseconds, RFC 3339 with any offset, or a date (YYYY-MM-DD). Stored as UTC.'
          },
          {
            name: 'lifetimeValue',
            label: 'Lifetime value',
            type: 'object',
            optional: true,
            properties: [
              {
                name: 'currency',
                label: 'Currency',
                type: 'string',
                control_type: 'text',
                optional: false,
                hint: 'ISO 4217 code.'
              },
              {
                name: 'amount',
                label: 'Amount',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'Decimal amount, e.g. "1250.50".'
              },
              {
                name: 'amountMinor',
                label: 'Amount minor',
                type: 'integer',
                control_type: 'integer',
                optional: true,
                hint: 'Amount in minor units (cents), e.g. 125050.'
              }
            ]
          },
          {
            name: 'consent',
            label: 'Consent',
            type: 'object',
            optional: true,
            hint: 'Per channel (email, sms, whatsapp). A channel you leave out keeps no consent state: it is never inferred.',
            properties: [
              {
                name: 'email',
                label: 'Email',
                type: 'object',
                optional: true,
                properties: [
                  {
                    name: 'status',
                    label: 'Status',
                    type: 'string',
                    control_type: 'select',
                    options: [
                      [
                        'Opted in',
                        'opted_in'
                      ],
                      [
                        'Opted out',
                        'opted_out'
                      ],
                      [
                        'Pending',
                        'pending'
                      ]
                    ],
                    optional: false,
                    toggle_hint: 'Select from list',
                    toggle_field: {
                      name: 'status',
                      label: 'Status',
                      type: 'string',
                      control_type: 'text',
                      optional: false,
                      toggle_hint: 'Use custom value',
                      hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                    },
                    hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                  },
                  {
                    name: 'source',
                    label: 'Source',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'Where consent was given or withdrawn; the record\'s source by default.'
                  },
                  {
                    name: 'timestamp',
                    label: 'Timestamp',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'When consent was given or withdrawn.'
                  }
                ]
              },
              {
                name: 'sms',
                label: 'SMS',
                type: 'object',
                optional: true,
                properties: [
                  {
                    name: 'status',
                    label: 'Status',
                    type: 'string',
                    control_type: 'select',
                    options: [
                      [
                        'Opted in',
                        'opted_in'
                      ],
                      [
                        'Opted out',
                        'opted_out'
                      ],
                      [
                        'Pending',
                        'pending'
                      ]
                    ],
                    optional: false,
                    toggle_hint: 'Select from list',
                    toggle_field: {
                      name: 'status',
                      label: 'Status',
                      type: 'string',
                      control_type: 'text',
                      optional: false,
                      toggle_hint: 'Use custom value',
                      hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                    },
                    hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                  },
                  {
                    name: 'source',
                    label: 'Source',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'Where consent was given or withdrawn; the record\'s source by default.'
                  },
                  {
                    name: 'timestamp',
                    label: 'Timestamp',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'When consent was given or withdrawn.'
                  }
                ]
              },
              {
                name: 'whatsapp',
                label: 'Whatsapp',
                type: 'object',
                optional: true,
                properties: [
                  {
                    name: 'status',
                    label: 'Status',
                    type: 'string',
                    control_type: 'select',
                    options: [
                      [
                        'Opted in',
                        'opted_in'
                      ],
                      [
                        'Opted out',
                        'opted_out'
                      ],
                      [
                        'Pending',
                        'pending'
                      ]
                    ],
                    optional: false,
                    toggle_hint: 'Select from list',
                    toggle_field: {
                      name: 'status',
                      label: 'Status',
                      type: 'string',
                      control_type: 'text',
                      optional: false,
                      toggle_hint: 'Use custom value',
                      hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                    },
                    hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                  },
                  {
                    name: 'source',
                    label: 'Source',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'Where consent was given or withdrawn; the record\'s source by default.'
                  },
                  {
                    name: 'timestamp',
                    label: 'Timestamp',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'When consent was given or withdrawn.'
                  }
                ]
              }
            ]
          },
          {
            name: 'attributes',
            label: 'Attributes',
            type: 'object',
            optional: true,
            hint: 'Custom attributes (names start with a letter: letters, digits, underscores). Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          }
        ]
      end
    },
    contact_record_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Your stable ID for the contact. Derived from source and sourceId (or email/phone) when absent.'
          },
          {
            name: 'source',
            label: 'Source',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The system the record comes from; the workspace\'s source name by default. Example: salesforce'
          },
          {
            name: 'sourceId',
            label: 'Source ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The record\'s ID in its source system. Example: 0035e00000Bx1QkAAJ'
          },
          {
            name: 'email',
            label: 'Email',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Trimmed, lower-cased; international domains are stored in their ASCII (punycode) form.'
          },
          {
            name: 'phone',
            label: 'Phone',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Any common format; stored in E.164.'
          },
          {
            name: 'phoneRegion',
            label: 'Phone region',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'ISO 3166-1 alpha-2 region for a phone without country code; the workspace\'s default otherwise.'
          },
          {
            name: 'firstName',
            label: 'First name',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'lastName',
            label: 'Last name',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'locale',
            label: 'Locale',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'BCP 47, e.g. fr-CA (en_us is understood).'
          },
          {
            name: 'sourceCreatedAt',
            label: 'Source created at',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Epoch seconds or milliseconds, RFC 3339 with any offset, or a date (YYYY-MM-DD). Stored as UTC.'
          },
          {
            name: 'sourceUpdatedAt',
            label: 'Source updated at',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Epoch seconds or milliseconds, RFC 3339 with any offset, or a date (YYYY-MM-DD). Stored as UTC.'
          },
          {
            name: 'lifetimeValue',
            label: 'Lifetime value',
            type: 'object',
            optional: true,
            properties: [
              {
                name: 'currency',
                label: 'Currency',
                type: 'string',
                control_type: 'text',
                optional: false,
                hint: 'ISO 4217 code.'
              },
              {
                name: 'amount',
                label: 'Amount',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'Decimal amount, e.g. "1250.50".'
              },
              {
                name: 'amountMinor',
                label: 'Amount minor',
                type: 'integer',
                control_type: 'integer',
                optional: true,
                hint: 'Amount in minor units (cents), e.g. 125050.'
              }
            ]
          },
          {
            name: 'consent',
            label: 'Consent',
            type: 'object',
            optional: true,
            hint: 'Per channel (email, sms, whatsapp). A channel you leave out keeps no consent state: it is never inferred.',
            properties: [
              {
                name: 'email',
                label: 'Email',
                type: 'object',
                optional: true,
                properties: [
                  {
                    name: 'status',
                    label: 'Status',
                    type: 'string',
                    control_type: 'select',
                    options: [
                      [
                        'Opted in',
                        'opted_in'
                      ],
                      [
                        'Opted out',
                        'opted_out'
                      ],
                      [
                        'Pending',
                        'pending'
                      ]
                    ],
                    optional: false,
                    toggle_hint: 'Select from list',
                    toggle_field: {
                      name: 'status',
                      label: 'Status',
                      type: 'string',
                      control_type: 'text',
                      optional: false,
                      toggle_hint: 'Use custom value',
                      hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                    },
                    hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                  },
                  {
                    name: 'source',
                    label: 'Source',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'Where consent was given or withdrawn; the record\'s source by default.'
                  },
                  {
                    name: 'timestamp',
                    label: 'Timestamp',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'When consent was given or withdrawn.'
                  }
                ]
              },
              {
                name: 'sms',
                label: 'SMS',
                type: 'object',
                optional: true,
                properties: [
                  {
                    name: 'status',
                    label: 'Status',
                    type: 'string',
                    control_type: 'select',
                    options: [
                      [
                        'Opted in',
                        'opted_in'
                      ],
                      [
                        'Opted out',
                        'opted_out'
                      ],
                      [
                        'Pending',
                        'pending'
                      ]
                    ],
                    optional: false,
                    toggle_hint: 'Select from list',
                    toggle_field: {
                      name: 'status',
                      label: 'Status',
                      type: 'string',
                      control_type: 'text',
                      optional: false,
                      toggle_hint: 'Use custom value',
                      hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                    },
                    hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                  },
                  {
                    name: 'source',
                    label: 'Source',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'Where consent was given or withdrawn; the record\'s source by default.'
                  },
                  {
                    name: 'timestamp',
                    label: 'Timestamp',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'When consent was given or withdrawn.'
                  }
                ]
              },
              {
                name: 'whatsapp',
                label: 'Whatsapp',
                type: 'object',
                optional: true,
                properties: [
                  {
                    name: 'status',
                    label: 'Status',
                    type: 'string',
                    control_type: 'select',
                    options: [
                      [
                        'Opted in',
                        'opted_in'
                      ],
                      [
                        'Opted out',
                        'opted_out'
                      ],
                      [
                        'Pending',
                        'pending'
                      ]
                    ],
                    optional: false,
                    toggle_hint: 'Select from list',
                    toggle_field: {
                      name: 'status',
                      label: 'Status',
                      type: 'string',
                      control_type: 'text',
                      optional: false,
                      toggle_hint: 'Use custom value',
                      hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                    },
                    hint: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).'
                  },
                  {
                    name: 'source',
                    label: 'Source',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'Where consent was given or withdrawn; the record\'s source by default.'
                  },
                  {
                    name: 'timestamp',
                    label: 'Timestamp',
                    type: 'string',
                    control_type: 'text',
                    optional: true,
                    hint: 'When consent was given or withdrawn.'
                  }
                ]
              }
            ]
          },
          {
            name: 'attributes',
            label: 'Attributes',
            type: 'object',
            optional: true,
            hint: 'Custom attributes (names start with a letter: letters, digits, underscores). Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          }
        ]
      end
    },
    contact_reference_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'contactId',
            label: 'Contact ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Tajo ID of the contact.'
          },
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'External ID of the contact.'
          }
        ]
      end
    },
    contact_write_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'result',
            label: 'Result',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Created',
                'created'
              ],
              [
                'Updated',
                'updated'
              ],
              [
                'Unchanged',
                'unchanged'
              ],
              [
                'Stale',
                'stale'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'result',
              label: 'Result',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'unchanged: identical to what Tajo had; stale: every field it carried is older (by source time) than what Tajo holds, so nothing changed. Neither records a version or sends anything downstream.'
            },
            hint: 'unchanged: identical to what Tajo had; stale: every field it carried is older (by source time) than what Tajo holds, so nothing changed. Neither records a version or sends anything downstream.'
          },
          {
            name: 'skipped',
            label: 'Skipped',
            type: 'array',
            of: 'string',
            optional: false,
            hint: 'Fields the write carried that Tajo holds at a newer source time, so kept (e.g. "firstName", "attributes.plan", "consent.email"). Empty when none.'
          },
          {
            name: 'contact',
            label: 'Contact',
            type: 'object',
            optional: false,
            properties: object_definitions['contact']
          }
        ]
      end
    },
    dead_letter: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'entityType',
            label: 'Entity type',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'What was being activated (`contact`).'
          },
          {
            name: 'entityId',
            label: 'Entity ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The Tajo ID of the record; null once it was erased.'
          },
          {
            name: 'sourceObjectId',
            label: 'Source object ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The record\'s ID at its source (a contact\'s external ID).'
          },
          {
            name: 'syncJobId',
            label: 'Sync job ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The sync job that brought the record, when any.'
          },
          {
            name: 'category',
            label: 'Category',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Mapping',
                'mapping'
              ],
              [
                'Validation',
                'validation'
              ],
              [
                'Authentication',
                'authentication'
              ],
              [
                'Permission',
                'permission'
              ],
              [
                'Rate limited',
                'rate_limited'
              ],
              [
                'Vendor unavailable',
                'vendor_unavailable'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'category',
              label: 'Category',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'reason',
            label: 'Reason',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'What went wrong, for an operator.'
          },
          {
            name: 'request',
            label: 'Request',
            type: 'object',
            optional: false,
            hint: 'The request Tajo sent to Brevo.'
          },
          {
            name: 'response',
            label: 'Response',
            type: 'object',
            optional: false,
            hint: 'Brevo\'s answer (or how the attempts ended).'
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Open',
                'open'
              ],
              [
                'Retried',
                'retried'
              ],
              [
                'Discarded',
                'discarded'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'occurrences',
            label: 'Occurrences',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'How often the record failed this way while the letter was open: a repeat (a source read again, a retried job) counts here instead of writing another letter. request, response and syncJobId are those of the latest.'
          },
          {
            name: 'lastSeenAt',
            label: 'Last seen at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false,
            hint: 'When the record last failed this way.'
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false,
            hint: 'When the record first failed this way.'
          },
          {
            name: 'updatedAt',
            label: 'Updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          }
        ]
      end
    },
    dead_letter_discard: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'entityType',
            label: 'Entity type',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'What was being activated (`contact`).'
          },
          {
            name: 'entityId',
            label: 'Entity ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The Tajo ID of the record; null once it was erased.'
          },
          {
            name: 'sourceObjectId',
            label: 'Source object ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The record\'s ID at its source (a contact\'s external ID).'
          },
          {
            name: 'syncJobId',
            label: 'Sync job ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The sync job that brought the record, when any.'
          },
          {
            name: 'category',
            label: 'Category',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Mapping',
                'mapping'
              ],
              [
                'Validation',
                'validation'
              ],
              [
                'Authentication',
                'authentication'
              ],
              [
                'Permission',
                'permission'
              ],
              [
                'Rate limited',
                'rate_limited'
              ],
              [
                'Vendor unavailable',
                'vendor_unavailable'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'category',
              label: 'Category',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'reason',
            label: 'Reason',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'What went wrong, for an operator.'
          },
          {
            name: 'request',
            label: 'Request',
            type: 'object',
            optional: false,
            hint: 'The request Tajo sent to Brevo.'
          },
          {
            name: 'response',
            label: 'Response',
            type: 'object',
            optional: false,
            hint: 'Brevo\'s answer (or how the attempts ended).'
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Open',
                'open'
              ],
              [
                'Retried',
                'retried'
              ],
              [
                'Discarded',
                'discarded'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'occurrences',
            label: 'Occurrences',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'How often the record failed this way while the letter was open: a repeat (a source read again, a retried job) counts here instead of writing another letter. request, response and syncJobId are those of the latest.'
          },
          {
            name: 'lastSeenAt',
            label: 'Last seen at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false,
            hint: 'When the record last failed this way.'
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false,
            hint: 'When the record first failed this way.'
          },
          {
            name: 'updatedAt',
            label: 'Updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'result',
            label: 'Result',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Discarded',
                'discarded'
              ],
              [
                'Already discarded',
                'already_discarded'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'result',
              label: 'Result',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'discarded: discarded by this request; already_discarded: an earlier request did, and this one changed nothing.'
            },
            hint: 'discarded: discarded by this request; already_discarded: an earlier request did, and this one changed nothing.'
          }
        ]
      end
    },
    dead_letter_page: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'data',
            label: 'Data',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['dead_letter']
          },
          {
            name: 'nextCursor',
            label: 'Next cursor',
            type: 'string',
            control_type: 'text',
            optional: false
          }
        ]
      end
    },
    dead_letter_retry: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'entityType',
            label: 'Entity type',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'What was being activated (`contact`).'
          },
          {
            name: 'entityId',
            label: 'Entity ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The Tajo ID of the record; null once it was erased.'
          },
          {
            name: 'sourceObjectId',
            label: 'Source object ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The record\'s ID at its source (a contact\'s external ID).'
          },
          {
            name: 'syncJobId',
            label: 'Sync job ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The sync job that brought the record, when any.'
          },
          {
            name: 'category',
            label: 'Category',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Mapping',
                'mapping'
              ],
              [
                'Validation',
                'validation'
              ],
              [
                'Authentication',
                'authentication'
              ],
              [
                'Permission',
                'permission'
              ],
              [
                'Rate limited',
                'rate_limited'
              ],
              [
                'Vendor unavailable',
                'vendor_unavailable'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'category',
              label: 'Category',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'reason',
            label: 'Reason',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'What went wrong, for an operator.'
          },
          {
            name: 'request',
            label: 'Request',
            type: 'object',
            optional: false,
            hint: 'The request Tajo sent to Brevo.'
          },
          {
            name: 'response',
            label: 'Response',
            type: 'object',
            optional: false,
            hint: 'Brevo\'s answer (or how the attempts ended).'
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Open',
                'open'
              ],
              [
                'Retried',
                'retried'
              ],
              [
                'Discarded',
                'discarded'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'occurrences',
            label: 'Occurrences',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'How often the record failed this way while the letter was open: a repeat (a source read again, a retried job) counts here instead of writing another letter. request, response and syncJobId are those of the latest.'
          },
          {
            name: 'lastSeenAt',
            label: 'Last seen at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false,
            hint: 'When the record last failed this way.'
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false,
            hint: 'When the record first failed this way.'
          },
          {
            name: 'updatedAt',
            label: 'Updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'result',
            label: 'Result',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Retried',
                'retried'
              ],
              [
                'Already retried',
                'already_retried'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'result',
              label: 'Result',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'retried: queued for activation again by this request; already_retried: an earlier request did, and this one changed nothing.'
            },
            hint: 'retried: queued for activation again by this request; already_retried: an earlier request did, and this one changed nothing.'
          }
        ]
      end
    },
    event: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Tajo ID.'
          },
          {
            name: 'eventId',
            label: 'Event ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Your event ID, or the one derived from the content (prefixed h:).'
          },
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'occurredAt',
            label: 'Occurred at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'contact',
            label: 'Contact',
            type: 'object',
            optional: false,
            properties: [
              {
                name: 'externalId',
                label: 'External ID',
                type: 'string',
                control_type: 'text',
                optional: false
              },
              {
                name: 'email',
                label: 'Email',
                type: 'string',
                control_type: 'text',
                optional: false
              },
              {
                name: 'phone',
                label: 'Phone',
                type: 'string',
                control_type: 'text',
                optional: false,
                hint: 'E.164.'
              }
            ]
          },
          {
            name: 'properties',
            label: 'Properties',
            type: 'object',
            optional: false,
            hint: 'Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          },
          {
            name: 'contactProperties',
            label: 'Contact properties',
            type: 'object',
            optional: false,
            hint: 'Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false,
            hint: 'When Tajo first received it.'
          }
        ]
      end
    },
    event_batch_request_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'events',
            label: 'Events',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['event_record_input']
          }
        ]
      end
    },
    event_batch_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'results',
            label: 'Results',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['event_record_result']
          },
          {
            name: 'counts',
            label: 'Counts',
            type: 'object',
            optional: false,
            properties: [
              {
                name: 'created',
                label: 'Created',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'unchanged',
                label: 'Unchanged',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'rejected',
                label: 'Rejected',
                type: 'integer',
                control_type: 'integer',
                optional: false
              }
            ]
          }
        ]
      end
    },
    event_page: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'data',
            label: 'Data',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['event']
          },
          {
            name: 'nextCursor',
            label: 'Next cursor',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Pass as `cursor` for the next page; null on the last page.'
          }
        ]
      end
    },
    event_record_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'eventId',
            label: 'Event ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Your ID for this occurrence: tracking the same ID again is a no-op. Derived from the content (contact, name, time, properties) when absent.'
          },
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Brevo\'s event name: 1-255 letters, digits, - and _. Example: order_created'
          },
          {
            name: 'occurredAt',
            label: 'Occurred at',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'When it happened: epoch seconds or milliseconds, or RFC 3339 with any offset. Stored as UTC. Required when eventId is absent; the time of tracking otherwise.'
          },
          {
            name: 'contact',
            label: 'Contact',
            type: 'object',
            optional: false,
            hint: 'Who did it: at least one of externalId, email or phone.',
            properties: [
              {
                name: 'externalId',
                label: 'External ID',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'The contact\'s external ID (Brevo\'s ext_id).'
              },
              {
                name: 'email',
                label: 'Email',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'Trimmed, lower-cased; international domains in ASCII (punycode).'
              },
              {
                name: 'phone',
                label: 'Phone',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'Any common format; stored in E.164.'
              },
              {
                name: 'phoneRegion',
                label: 'Phone region',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'ISO 3166-1 alpha-2 region for a phone without country code; the workspace\'s default otherwise.'
              }
            ]
          },
          {
            name: 'properties',
            label: 'Properties',
            type: 'object',
            optional: true,
            hint: 'Event properties (keys: letters, digits, - and _): strings, numbers, booleans, nested objects and lists of objects; at most 50 KB. Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          },
          {
            name: 'contactProperties',
            label: 'Contact properties',
            type: 'object',
            optional: true,
            hint: 'Contact attributes Brevo updates along with the event (names are upper-cased). Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          }
        ]
      end
    },
    event_record_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'index',
            label: 'Index',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'Position of the event in the request.'
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Created',
                'created'
              ],
              [
                'Unchanged',
                'unchanged'
              ],
              [
                'Rejected',
                'rejected'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Tajo ID; null when rejected.'
          },
          {
            name: 'eventId',
            label: 'Event ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'errors',
            label: 'Errors',
            type: 'array',
            of: 'object',
            optional: false,
            hint: 'Why the event was rejected (empty otherwise).',
            properties: object_definitions['field_error']
          }
        ]
      end
    },
    event_write_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'result',
            label: 'Result',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Created',
                'created'
              ],
              [
                'Unchanged',
                'unchanged'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'result',
              label: 'Result',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'unchanged: this event ID was tracked before with the same content; nothing is sent again.'
            },
            hint: 'unchanged: this event ID was tracked before with the same content; nothing is sent again.'
          },
          {
            name: 'event',
            label: 'Event',
            type: 'object',
            optional: false,
            properties: object_definitions['event']
          }
        ]
      end
    },
    field_error: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'field',
            label: 'Field',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Where the problem is, as a dotted path (e.g. `body.email`, `records.3.phone`).'
          },
          {
            name: 'reason',
            label: 'Reason',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'What is wrong and how to fix it.'
          }
        ]
      end
    },
    list: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Tajo ID.'
          },
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'memberCount',
            label: 'Member count',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'Contacts in the list.'
          },
          {
            name: 'version',
            label: 'Version',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'Goes up by one with every rename.'
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'updatedAt',
            label: 'Updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          }
        ]
      end
    },
    list_definition_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Unique in the workspace (1 to 100 characters, trimmed). Example: VIP customers'
          }
        ]
      end
    },
    list_deletion: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'text',
            optional: false
          }
        ]
      end
    },
    list_membership_batch_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'results',
            label: 'Results',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['list_membership_result']
          },
          {
            name: 'counts',
            label: 'Counts',
            type: 'object',
            optional: false,
            hint: 'How many references got each status.',
            properties: [
              {
                name: 'added',
                label: 'Added',
                type: 'integer',
                control_type: 'integer',
                optional: true
              },
              {
                name: 'already_member',
                label: 'Already member',
                type: 'integer',
                control_type: 'integer',
                optional: true
              },
              {
                name: 'removed',
                label: 'Removed',
                type: 'integer',
                control_type: 'integer',
                optional: true
              },
              {
                name: 'not_member',
                label: 'Not member',
                type: 'integer',
                control_type: 'integer',
                optional: true
              },
              {
                name: 'rejected',
                label: 'Rejected',
                type: 'integer',
                control_type: 'integer',
                optional: true
              }
            ]
          }
        ]
      end
    },
    list_membership_request_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'contacts',
            label: 'Contacts',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['contact_reference_input']
          }
        ]
      end
    },
    list_membership_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'index',
            label: 'Index',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'Position of the reference in the request.'
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Added',
                'added'
              ],
              [
                'Already member',
                'already_member'
              ],
              [
                'Removed',
                'removed'
              ],
              [
                'Not member',
                'not_member'
              ],
              [
                'Rejected',
                'rejected'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'contactId',
            label: 'Contact ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Tajo ID of the contact; null when rejected.'
          },
          {
            name: 'reason',
            label: 'Reason',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Why the reference was rejected (null otherwise).'
          }
        ]
      end
    },
    list_page: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'data',
            label: 'Data',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['list']
          },
          {
            name: 'nextCursor',
            label: 'Next cursor',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Pass as `cursor` for the next page; null on the last page.'
          }
        ]
      end
    },
    message: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Tajo ID; also the idempotency key Brevo is given, so the message is delivered once.'
          },
          {
            name: 'contactId',
            label: 'Contact ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'templateId',
            label: 'Template ID',
            type: 'integer',
            control_type: 'integer',
            optional: false
          },
          {
            name: 'params',
            label: 'Params',
            type: 'object',
            optional: false,
            hint: 'Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Queued',
                'queued'
              ],
              [
                'Sent',
                'sent'
              ],
              [
                'Failed',
                'failed'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'queued until Brevo accepts it (sent) or refuses it (failed, with a dead letter).'
            },
            hint: 'queued until Brevo accepts it (sent) or refuses it (failed, with a dead letter).'
          },
          {
            name: 'brevoMessageId',
            label: 'Brevo message ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Brevo\'s message ID, once sent.'
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'updatedAt',
            label: 'Updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          }
        ]
      end
    },
    new_campaign_draft_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The campaign\'s name; Brevo shows it with a Tajo prefix and the draft\'s short ID.'
          },
          {
            name: 'listId',
            label: 'List ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The Tajo list the campaign goes to.'
          },
          {
            name: 'subject',
            label: 'Subject',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'sender',
            label: 'Sender',
            type: 'object',
            optional: false,
            hint: 'A sender verified in the Brevo account.',
            properties: [
              {
                name: 'name',
                label: 'Name',
                type: 'string',
                control_type: 'text',
                optional: true
              },
              {
                name: 'email',
                label: 'Email',
                type: 'string',
                control_type: 'email',
                optional: false
              }
            ]
          },
          {
            name: 'templateId',
            label: 'Template ID',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'The Brevo template the content comes from.'
          }
        ]
      end
    },
    object_association: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The other end\'s type: \'contact\' or an object type name.'
          },
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The other end\'s external ID.'
          },
          {
            name: 'targetId',
            label: 'Target ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Tajo ID of the other end; null while it is not in Tajo (pending).'
          },
          {
            name: 'pending',
            label: 'Pending',
            type: 'boolean',
            control_type: 'checkbox',
            optional: false,
            hint: 'The other end is not in Tajo yet; the association is kept and activated once both ends exist.'
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          }
        ]
      end
    },
    object_association_batch_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'results',
            label: 'Results',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['object_association_result']
          }
        ]
      end
    },
    object_association_reference_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: '\'contact\', or the other record\'s object type.'
          },
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Tajo ID of the contact or record (it must exist).'
          },
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'External ID of the contact or record; it may arrive in Tajo later (the association is pending until then).'
          },
          {
            name: 'email',
            label: 'Email',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'A contact by email (it must exist; the most recently updated one).'
          }
        ]
      end
    },
    object_association_request_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'associations',
            label: 'Associations',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['object_association_reference_input']
          }
        ]
      end
    },
    object_association_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'index',
            label: 'Index',
            type: 'integer',
            control_type: 'integer',
            optional: false
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Created',
                'created'
              ],
              [
                'Removed',
                'removed'
              ],
              [
                'Unchanged',
                'unchanged'
              ],
              [
                'Rejected',
                'rejected'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'created or removed; unchanged when it already was (or was not) there; rejected with errors.'
            },
            hint: 'created or removed; unchanged when it already was (or was not) there; rejected with errors.'
          },
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The association; null when rejected or when there was none to remove.'
          },
          {
            name: 'errors',
            label: 'Errors',
            type: 'array',
            of: 'object',
            optional: false,
            properties: [
              {
                name: 'field',
                label: 'Field',
                type: 'string',
                control_type: 'text',
                optional: false
              },
              {
                name: 'reason',
                label: 'Reason',
                type: 'string',
                control_type: 'text',
                optional: false
              }
            ]
          }
        ]
      end
    },
    object_record: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'attributes',
            label: 'Attributes',
            type: 'object',
            optional: false,
            hint: 'Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          },
          {
            name: 'associations',
            label: 'Associations',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['object_association']
          },
          {
            name: 'version',
            label: 'Version',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'Goes up by one with every change of the attributes.'
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'updatedAt',
            label: 'Updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          }
        ]
      end
    },
    object_record_batch_request_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'records',
            label: 'Records',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['object_record_data_input']
          }
        ]
      end
    },
    object_record_batch_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'results',
            label: 'Results',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['record_result']
          },
          {
            name: 'counts',
            label: 'Counts',
            type: 'object',
            optional: false,
            properties: [
              {
                name: 'created',
                label: 'Created',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'updated',
                label: 'Updated',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'unchanged',
                label: 'Unchanged',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'stale',
                label: 'Stale',
                type: 'integer',
                control_type: 'integer',
                optional: false
              },
              {
                name: 'rejected',
                label: 'Rejected',
                type: 'integer',
                control_type: 'integer',
                optional: false
              }
            ]
          }
        ]
      end
    },
    object_record_data_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Your stable ID for the record; made by the type\'s external-ID rule when absent.'
          },
          {
            name: 'attributes',
            label: 'Attributes',
            type: 'object',
            optional: true,
            hint: 'Values by the type\'s attribute names, normalized by their types: dates and times in any common format, money as {currency, amount} or {currency, amountMinor}, emails, phones (the workspace\'s region for local numbers). Merged into the stored record: an attribute left out keeps its value, null clears it, and null for them all clears every attribute (required ones cannot be cleared; a new record must have them). Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          },
          {
            name: 'associations',
            label: 'Associations',
            type: 'array',
            of: 'object',
            optional: true,
            hint: 'Associations to add (existing ones stay; remove them with the dissociate operation).',
            properties: object_definitions['object_association_reference_input']
          },
          {
            name: 'sourceUpdatedAt',
            label: 'Source updated at',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'When the source last changed the record (epoch seconds or milliseconds, RFC 3339 with any offset, or a date); the time of arrival when absent. An attribute is written only when this is newer than the source time of the value Tajo holds.'
          }
        ]
      end
    },
    object_record_deletion: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Deleted',
                'deleted'
              ],
              [
                'Erased',
                'erased'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value'
            }
          }
        ]
      end
    },
    object_record_page: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'data',
            label: 'Data',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['object_record']
          },
          {
            name: 'nextCursor',
            label: 'Next cursor',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Pass as `cursor` for the next page; null on the last page.'
          }
        ]
      end
    },
    object_record_write_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'result',
            label: 'Result',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Created',
                'created'
              ],
              [
                'Updated',
                'updated'
              ],
              [
                'Unchanged',
                'unchanged'
              ],
              [
                'Stale',
                'stale'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'result',
              label: 'Result',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'unchanged: attributes and associations identical to what Tajo had; stale: every attribute it carried is older (by source time) than what Tajo holds, and it added no association. Neither records a version or queues anything downstream.'
            },
            hint: 'unchanged: attributes and associations identical to what Tajo had; stale: every attribute it carried is older (by source time) than what Tajo holds, and it added no association. Neither records a version or queues anything downstream.'
          },
          {
            name: 'skipped',
            label: 'Skipped',
            type: 'array',
            of: 'string',
            optional: false,
            hint: 'Fields the write carried that Tajo holds at a newer source time, so kept (e.g. "firstName", "attributes.plan", "consent.email"). Empty when none.'
          },
          {
            name: 'record',
            label: 'Record',
            type: 'object',
            optional: false,
            properties: object_definitions['object_record']
          }
        ]
      end
    },
    object_type: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'brevoObjectType',
            label: 'Brevo object type',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'attributes',
            label: 'Attributes',
            type: 'array',
            of: 'object',
            optional: false,
            properties: [
              {
                name: 'name',
                label: 'Name',
                type: 'string',
                control_type: 'text',
                optional: false
              },
              {
                name: 'type',
                label: 'Type',
                type: 'string',
                control_type: 'select',
                options: [
                  [
                    'Text',
                    'text'
                  ],
                  [
                    'Number',
                    'number'
                  ],
                  [
                    'Boolean',
                    'boolean'
                  ],
                  [
                    'Date',
                    'date'
                  ],
                  [
                    'Datetime',
                    'datetime'
                  ],
                  [
                    'Money',
                    'money'
                  ],
                  [
                    'Email',
                    'email'
                  ],
                  [
                    'Phone',
                    'phone'
                  ]
                ],
                optional: false,
                toggle_hint: 'Select from list',
                toggle_field: {
                  name: 'type',
                  label: 'Type',
                  type: 'string',
                  control_type: 'text',
                  optional: false,
                  toggle_hint: 'Use custom value'
                }
              },
              {
                name: 'required',
                label: 'Required',
                type: 'boolean',
                control_type: 'checkbox',
                optional: false
              }
            ]
          },
          {
            name: 'externalIdRule',
            label: 'External ID rule',
            type: 'object',
            optional: false,
            hint: 'How a record\'s external ID is made when it gives none: `given` (the record must give externalId), `attribute` (that attribute\'s value), or `hash` (`h:` and a SHA-256 of the named attributes\' values, as for contacts without a vendor ID).'
          },
          {
            name: 'associations',
            label: 'Associations',
            type: 'array',
            of: 'string',
            optional: false
          },
          {
            name: 'version',
            label: 'Version',
            type: 'integer',
            control_type: 'integer',
            optional: false
          },
          {
            name: 'createdAt',
            label: 'Created at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          },
          {
            name: 'updatedAt',
            label: 'Updated at',
            type: 'date_time',
            control_type: 'date_time',
            optional: false
          }
        ]
      end
    },
    object_type_page: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'data',
            label: 'Data',
            type: 'array',
            of: 'object',
            optional: false,
            properties: object_definitions['object_type']
          },
          {
            name: 'nextCursor',
            label: 'Next cursor',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Pass as `cursor` for the next page; null on the last page.'
          }
        ]
      end
    },
    record_result: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'index',
            label: 'Index',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'Position of the record in the request.'
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Created',
                'created'
              ],
              [
                'Updated',
                'updated'
              ],
              [
                'Unchanged',
                'unchanged'
              ],
              [
                'Stale',
                'stale'
              ],
              [
                'Rejected',
                'rejected'
              ]
            ],
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'unchanged: identical to what Tajo had; stale: every field it carried is older (by source time) than what Tajo holds, so nothing changed. Neither records a version or sends anything downstream.'
            },
            hint: 'unchanged: identical to what Tajo had; stale: every field it carried is older (by source time) than what Tajo holds, so nothing changed. Neither records a version or sends anything downstream.'
          },
          {
            name: 'id',
            label: 'ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'Tajo ID; null when rejected.'
          },
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'skipped',
            label: 'Skipped',
            type: 'array',
            of: 'string',
            optional: true,
            hint: 'Fields the write carried that Tajo holds at a newer source time, so kept (e.g. "firstName", "attributes.plan", "consent.email"). Empty when none.'
          },
          {
            name: 'errors',
            label: 'Errors',
            type: 'array',
            of: 'object',
            optional: false,
            hint: 'Why the record was rejected (empty otherwise).',
            properties: [
              {
                name: 'field',
                label: 'Field',
                type: 'string',
                control_type: 'text',
                optional: false
              },
              {
                name: 'reason',
                label: 'Reason',
                type: 'string',
                control_type: 'text',
                optional: false
              }
            ]
          }
        ]
      end
    },
    transactional_message_input_input: {
      fields: lambda do |_connection, _config_fields, object_definitions|
        [
          {
            name: 'to',
            label: 'To',
            type: 'object',
            optional: false,
            properties: object_definitions['contact_reference_input']
          },
          {
            name: 'templateId',
            label: 'Template ID',
            type: 'integer',
            control_type: 'integer',
            optional: false,
            hint: 'The Brevo template\'s ID.'
          },
          {
            name: 'params',
            label: 'Params',
            type: 'object',
            optional: true,
            hint: 'Values for the template, e.g. {"ORDER": "A-1001"}. Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          }
        ]
      end
    }
  },
  actions: {
    search_contacts: {
      title: 'Search contacts',
      subtitle: 'Search contacts in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Search <span class="provider">contacts</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Contacts in order of last update (oldest first), filtered by email, external ID or update time; page with `cursor`. Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'email',
            label: 'Email',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Exact email (normalized before matching).'
          },
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'updatedSince',
            label: 'Updated since',
            type: 'date_time',
            control_type: 'date_time',
            optional: true,
            hint: 'Only contacts updated at or after this time.'
          },
          {
            name: 'attribute',
            label: 'Attribute',
            type: 'string',
            control_type: 'select',
            pick_list: 'contact_attributes',
            optional: true,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'attribute',
              label: 'Attribute',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value',
              hint: 'A custom attribute name; with `attributeValue`, only contacts whose attribute has that value.'
            },
            hint: 'A custom attribute name; with `attributeValue`, only contacts whose attribute has that value.'
          },
          {
            name: 'attributeValue',
            label: 'Attribute value',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The value to match, as text: "pro", "12" and "true" match the text, the number and the boolean.'
          },
          {
            name: 'limit',
            label: 'Limit',
            type: 'integer',
            control_type: 'integer',
            optional: true,
            hint: 'Page size, 1 to 200.'
          },
          {
            name: 'cursor',
            label: 'Cursor',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The `nextCursor` of the previous page.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', 'v1/contacts', input.slice('email', 'externalId', 'updatedSince', 'attribute', 'attributeValue', 'limit', 'cursor'), nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact_page']
      end,
      sample_output: lambda do |_connection, _input|
        {
          data: [
            {
              id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              externalId: 'salesforce:0035e00000Bx1QkAAJ',
              source: 'salesforce',
              sourceId: '0035e00000Bx1QkAAJ',
              email: 'ada.lovelace@example.com',
              phone: '+14155552671',
              firstName: 'Ada',
              lastName: 'Lovelace',
              locale: 'en-GB',
              lifetimeValue: {
                currency: 'USD',
                amountMinor: 125050
              },
              consent: {
                email: {
                  status: 'opted_in',
                  source: 'salesforce',
                  timestamp: '2026-11-01T08:30:00.000Z'
                }
              },
              attributes: {
                plan: 'pro',
                seats: 12
              },
              sourceCreatedAt: nil,
              sourceUpdatedAt: '2024-11-23T08:20:00.000Z',
              version: 1,
              createdAt: '2026-11-23T10:00:00.000Z',
              updatedAt: '2026-11-23T10:00:00.000Z'
            }
          ],
          nextCursor: nil
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    create_contact: {
      title: 'Create contact',
      subtitle: 'Create a contact in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Create <span class="provider">contact</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Creates a contact; answers 409 when one with the same external ID exists (use upsert to create or update). Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact_record_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Left blank, it is derived from this step\'s input: Workato\'s retries are safe, and the same input again within 24 hours answers the first result. To act again on identical input, map a value unique to each run (e.g. the triggering record\'s ID).'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', 'v1/contacts', nil, input.slice('externalId', 'source', 'sourceId', 'email', 'phone', 'phoneRegion', 'firstName', 'lastName', 'locale', 'sourceCreatedAt', 'sourceUpdatedAt', 'lifetimeValue', 'consent', 'attributes'), call('idempotency_key', 'createContact', input))
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact_write_result']
      end,
      sample_output: lambda do |_connection, _input|
        {
          result: 'created',
          skipped: [],
          contact: {
            id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
            externalId: 'salesforce:0035e00000Bx1QkAAJ',
            source: 'salesforce',
            sourceId: '0035e00000Bx1QkAAJ',
            email: 'ada.lovelace@example.com',
            phone: '+14155552671',
            firstName: 'Ada',
            lastName: 'Lovelace',
            locale: 'en-GB',
            lifetimeValue: {
              currency: 'USD',
              amountMinor: 125050
            },
            consent: {
              email: {
                status: 'opted_in',
                source: 'salesforce',
                timestamp: '2026-11-01T08:30:00.000Z'
              }
            },
            attributes: {
              plan: 'pro',
              seats: 12
            },
            sourceCreatedAt: nil,
            sourceUpdatedAt: '2024-11-23T08:20:00.000Z',
            version: 1,
            createdAt: '2026-11-23T10:00:00.000Z',
            updatedAt: '2026-11-23T10:00:00.000Z'
          }
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    upsert_contact: {
      title: 'Upsert contact',
      subtitle: 'Upsert a contact in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Upsert <span class="provider">contact</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Creates the contact, or merges into the one with the same external ID: a field left out keeps its value, null clears it, attributes merge by name and consent by channel. Each field applies only when its source time (`sourceUpdatedAt`, else arrival) is newer than the stored one. An identical re-send answers `unchanged`, an older one `stale`; neither queues work. Fields mapped to empty values are left out, so Tajo keeps what it holds, unless "Clear fields mapped to empty values" is on. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact_record_input'] +
        [
          {
            name: 'clear_empty_fields',
            label: 'Clear fields mapped to empty values',
            type: 'boolean',
            control_type: 'checkbox',
            convert_input: 'boolean_conversion',
            optional: true,
            sticky: true,
            toggle_hint: 'Select from options',
            toggle_field: {
              name: 'clear_empty_fields',
              label: 'Clear fields mapped to empty values',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value',
              hint: 'true or false'
            },
            hint: 'Off (default): a field mapped to an empty value (a datapill with no value in this job, or blank text) is left out of the request, so Tajo keeps the value it holds. On: such fields are sent as null, which clears them in Tajo (in a batch, in every record). Fields you do not map are never sent.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        # Fields mapped to empty values are left out, so Tajo keeps its values; sent as null (cleared) when the option is on.
        body = call('merge_payload', input.slice('externalId', 'source', 'sourceId', 'email', 'phone', 'phoneRegion', 'firstName', 'lastName', 'locale', 'sourceCreatedAt', 'sourceUpdatedAt', 'lifetimeValue', 'consent', 'attributes'), input['clear_empty_fields'].to_s == 'true')
        call('tajo_request', 'post', 'v1/contacts/upsert', nil, body, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact_write_result']
      end,
      sample_output: lambda do |_connection, _input|
        {
          result: 'created',
          skipped: [],
          contact: {
            id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
            externalId: 'salesforce:0035e00000Bx1QkAAJ',
            source: 'salesforce',
            sourceId: '0035e00000Bx1QkAAJ',
            email: 'ada.lovelace@example.com',
            phone: '+14155552671',
            firstName: 'Ada',
            lastName: 'Lovelace',
            locale: 'en-GB',
            lifetimeValue: {
              currency: 'USD',
              amountMinor: 125050
            },
            consent: {
              email: {
                status: 'opted_in',
                source: 'salesforce',
                timestamp: '2026-11-01T08:30:00.000Z'
              }
            },
            attributes: {
              plan: 'pro',
              seats: 12
            },
            sourceCreatedAt: nil,
            sourceUpdatedAt: '2024-11-23T08:20:00.000Z',
            version: 1,
            createdAt: '2026-11-23T10:00:00.000Z',
            updatedAt: '2026-11-23T10:00:00.000Z'
          }
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    batch_upsert_contacts: {
      title: 'Batch upsert contacts',
      subtitle: 'Batch upsert contacts in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Batch upsert <span class="provider">contacts</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Upserts up to 1,000 contacts, each merged as the single upsert does. Each record gets its own result (created, updated, unchanged, stale, or rejected with index, field and reason); one bad record never fails the batch. Fields mapped to empty values are left out, so Tajo keeps what it holds, unless "Clear fields mapped to empty values" is on. Needs an API key with the write scope.',
      batch: true,
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact_batch_request_input'] +
        [
          {
            name: 'clear_empty_fields',
            label: 'Clear fields mapped to empty values',
            type: 'boolean',
            control_type: 'checkbox',
            convert_input: 'boolean_conversion',
            optional: true,
            sticky: true,
            toggle_hint: 'Select from options',
            toggle_field: {
              name: 'clear_empty_fields',
              label: 'Clear fields mapped to empty values',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value',
              hint: 'true or false'
            },
            hint: 'Off (default): a field mapped to an empty value (a datapill with no value in this job, or blank text) is left out of the request, so Tajo keeps the value it holds. On: such fields are sent as null, which clears them in Tajo (in a batch, in every record). Fields you do not map are never sent.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        # Fields mapped to empty values are left out, so Tajo keeps its values; sent as null (cleared) when the option is on.
        body = call('merge_payload', input.slice('records'), input['clear_empty_fields'].to_s == 'true')
        response = call('tajo_request', 'post', 'v1/contacts/batch', nil, body, input['idempotency_key'].presence)
        call('split_batch', response['results'])
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          { name: 'successful_records', label: 'Successful records', type: 'array', of: 'object', optional: false, properties: object_definitions['record_result'] + [
            {
              name: 'list_index',
              label: 'List index',
              type: 'integer',
              optional: false,
              hint: 'Position of the record in the input list (from 0).'
            }
          ] },
          { name: 'failed_records', label: 'Failed records', type: 'array', of: 'object', optional: false, properties: object_definitions['record_result'] + [
            {
              name: 'list_index',
              label: 'List index',
              type: 'integer',
              optional: false,
              hint: 'Position of the record in the input list (from 0).'
            }
          ] },
          { name: 'success_count', label: 'Success count', type: 'integer', optional: false },
          { name: 'failed_count', label: 'Failed count', type: 'integer', optional: false }
        ]
      end,
      sample_output: lambda do |_connection, _input|
        {
          successful_records: [
            {
              index: 0,
              status: 'created',
              id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              externalId: 'shopify:7001',
              errors: [],
              list_index: 0
            },
            {
              index: 2,
              status: 'stale',
              id: '3f2b9c4d-8e1a-4b6c-9d7e-2a5f0c1b8e94',
              externalId: 'shopify:7003',
              skipped: [
                'firstName'
              ],
              errors: [],
              list_index: 2
            }
          ],
          failed_records: [
            {
              index: 1,
              status: 'rejected',
              id: nil,
              externalId: nil,
              errors: [
                {
                  field: 'email',
                  reason: 'not a valid email address'
                }
              ],
              list_index: 1
            }
          ],
          success_count: 2,
          failed_count: 1
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    lookup_contact: {
      title: 'Get contact by external ID or email',
      subtitle: 'Get a contact by external ID or email in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">contact by external ID or email</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Give exactly one of `externalId` or `email`. When several contacts share an email, the most recently updated one is returned. Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'email',
            label: 'Email',
            type: 'string',
            control_type: 'text',
            optional: true
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', 'v1/contacts/lookup', input.slice('externalId', 'email'), nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          externalId: 'salesforce:0035e00000Bx1QkAAJ',
          source: 'salesforce',
          sourceId: '0035e00000Bx1QkAAJ',
          email: 'ada.lovelace@example.com',
          phone: '+14155552671',
          firstName: 'Ada',
          lastName: 'Lovelace',
          locale: 'en-GB',
          lifetimeValue: {
            currency: 'USD',
            amountMinor: 125050
          },
          consent: {
            email: {
              status: 'opted_in',
              source: 'salesforce',
              timestamp: '2026-11-01T08:30:00.000Z'
            }
          },
          attributes: {
            plan: 'pro',
            seats: 12
          },
          sourceCreatedAt: nil,
          sourceUpdatedAt: '2024-11-23T08:20:00.000Z',
          version: 1,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:00.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    get_contact: {
      title: 'Get contact',
      subtitle: 'Get a contact in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">contact</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Contact ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/contacts/#{input['id'].to_s.encode_url}", nil, nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          externalId: 'salesforce:0035e00000Bx1QkAAJ',
          source: 'salesforce',
          sourceId: '0035e00000Bx1QkAAJ',
          email: 'ada.lovelace@example.com',
          phone: '+14155552671',
          firstName: 'Ada',
          lastName: 'Lovelace',
          locale: 'en-GB',
          lifetimeValue: {
            currency: 'USD',
            amountMinor: 125050
          },
          consent: {
            email: {
              status: 'opted_in',
              source: 'salesforce',
              timestamp: '2026-11-01T08:30:00.000Z'
            }
          },
          attributes: {
            plan: 'pro',
            seats: 12
          },
          sourceCreatedAt: nil,
          sourceUpdatedAt: '2024-11-23T08:20:00.000Z',
          version: 1,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:00.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    update_contact: {
      title: 'Update contact',
      subtitle: 'Update a contact in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Update <span class="provider">contact</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Changes only the fields given; null clears a field. The external ID, source and source ID cannot change. Fields mapped to empty values are left out, so Tajo keeps what it holds, unless "Clear fields mapped to empty values" is on. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Contact ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ] +
        object_definitions['contact_patch_input'] +
        [
          {
            name: 'clear_empty_fields',
            label: 'Clear fields mapped to empty values',
            type: 'boolean',
            control_type: 'checkbox',
            convert_input: 'boolean_conversion',
            optional: true,
            sticky: true,
            toggle_hint: 'Select from options',
            toggle_field: {
              name: 'clear_empty_fields',
              label: 'Clear fields mapped to empty values',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value',
              hint: 'true or false'
            },
            hint: 'Off (default): a field mapped to an empty value (a datapill with no value in this job, or blank text) is left out of the request, so Tajo keeps the value it holds. On: such fields are sent as null, which clears them in Tajo (in a batch, in every record). Fields you do not map are never sent.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        # Fields mapped to empty values are left out, so Tajo keeps its values; sent as null (cleared) when the option is on.
        body = call('merge_payload', input.slice('email', 'phone', 'phoneRegion', 'firstName', 'lastName', 'locale', 'sourceCreatedAt', 'sourceUpdatedAt', 'lifetimeValue', 'consent', 'attributes'), input['clear_empty_fields'].to_s == 'true')
        call('tajo_request', 'patch', "v1/contacts/#{input['id'].to_s.encode_url}", nil, body, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact_write_result']
      end,
      sample_output: lambda do |_connection, _input|
        {
          result: 'created',
          skipped: [],
          contact: {
            id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
            externalId: 'salesforce:0035e00000Bx1QkAAJ',
            source: 'salesforce',
            sourceId: '0035e00000Bx1QkAAJ',
            email: 'ada.lovelace@example.com',
            phone: '+14155552671',
            firstName: 'Ada',
            lastName: 'Lovelace',
            locale: 'en-GB',
            lifetimeValue: {
              currency: 'USD',
              amountMinor: 125050
            },
            consent: {
              email: {
                status: 'opted_in',
                source: 'salesforce',
                timestamp: '2026-11-01T08:30:00.000Z'
              }
            },
            attributes: {
              plan: 'pro',
              seats: 12
            },
            sourceCreatedAt: nil,
            sourceUpdatedAt: '2024-11-23T08:20:00.000Z',
            version: 1,
            createdAt: '2026-11-23T10:00:00.000Z',
            updatedAt: '2026-11-23T10:00:00.000Z'
          }
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'PATCH'
      ],
      max_retries: 3
    },
    delete_contact: {
      title: 'Delete contact',
      subtitle: 'Delete a contact in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Delete <span class="provider">contact</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Soft delete: the contact disappears from reads and its deletion is activated downstream; its history is kept for audit. Upserting it again brings it back. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Contact ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'delete', "v1/contacts/#{input['id'].to_s.encode_url}", nil, nil, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact_deletion']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          status: 'deleted'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'DELETE'
      ],
      max_retries: 3
    },
    erase_contact: {
      title: 'Erase contact (GDPR)',
      subtitle: 'Erase a contact (GDPR) in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Erase <span class="provider">contact (GDPR)</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Hard delete for a right-to-erasure request: removes the contact, every stored payload and version, and stored responses that quote it. Only the fact of the erasure is kept. Needs an API key with the admin scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Contact ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', "v1/contacts/#{input['id'].to_s.encode_url}/erasure", nil, nil, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact_deletion']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          status: 'deleted'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    search_events: {
      title: 'Search events',
      subtitle: 'Search events in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Search <span class="provider">events</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Events in the order they occurred (oldest first), filtered by contact external ID, email, name or time; page with `cursor`. Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'contactExternalId',
            label: 'Contact external ID',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'email',
            label: 'Email',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Exact email (normalized before matching).'
          },
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'select',
            pick_list: 'event_names',
            optional: true,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'name',
              label: 'Name',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value',
              hint: 'Exact event name.'
            },
            hint: 'Exact event name.'
          },
          {
            name: 'since',
            label: 'Since',
            type: 'date_time',
            control_type: 'date_time',
            optional: true,
            hint: 'Only events that occurred at or after this time.'
          },
          {
            name: 'receivedSince',
            label: 'Received since',
            type: 'date_time',
            control_type: 'date_time',
            optional: true,
            hint: 'Only events Tajo received at or after this time. With it, events come in order of receipt (`createdAt`) instead of occurrence, so a poller misses no event that arrives late.'
          },
          {
            name: 'limit',
            label: 'Limit',
            type: 'integer',
            control_type: 'integer',
            optional: true,
            hint: 'Page size, 1 to 200.'
          },
          {
            name: 'cursor',
            label: 'Cursor',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The `nextCursor` of the previous page.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', 'v1/events', input.slice('contactExternalId', 'email', 'name', 'since', 'receivedSince', 'limit', 'cursor'), nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['event_page']
      end,
      sample_output: lambda do |_connection, _input|
        {
          data: [
            {
              id: '3c1e9d4a-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              eventId: 'shopify:order:5001',
              name: 'order_created',
              occurredAt: '2026-11-23T09:15:00.000Z',
              contact: {
                externalId: 'shopify:7001',
                email: 'max@example.com',
                phone: nil
              },
              properties: {
                order_id: '5001',
                total_cents: 4990,
                items: [
                  {
                    sku: 'BK-1',
                    quantity: 2
                  }
                ]
              },
              contactProperties: {
                'FIRSTNAME' => 'Max'
              },
              createdAt: '2026-11-23T09:15:02.000Z'
            }
          ],
          nextCursor: nil
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    track_event: {
      title: 'Track event',
      subtitle: 'Track an event in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Track <span class="provider">event</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Records a custom event and sends it to Brevo once. Tracking the same event ID again with the same content answers `unchanged` and sends nothing; with different content, 409. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'eventId',
            label: 'Event ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Your ID for this occurrence: tracking the same ID again is a no-op. Derived from the content (contact, name, time, properties) when absent.'
          },
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'select',
            pick_list: 'event_names',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'name',
              label: 'Name',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'Brevo\'s event name: 1-255 letters, digits, - and _. Example: order_created'
            },
            hint: 'Brevo\'s event name: 1-255 letters, digits, - and _. Example: order_created'
          },
          {
            name: 'occurredAt',
            label: 'Occurred at',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'When it happened: epoch seconds or milliseconds, or RFC 3339 with any offset. Stored as UTC. Required when eventId is absent; the time of tracking otherwise.'
          },
          {
            name: 'contact',
            label: 'Contact',
            type: 'object',
            optional: false,
            hint: 'Who did it: at least one of externalId, email or phone.',
            properties: [
              {
                name: 'externalId',
                label: 'External ID',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'The contact\'s external ID (Brevo\'s ext_id).'
              },
              {
                name: 'email',
                label: 'Email',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'Trimmed, lower-cased; international domains in ASCII (punycode).'
              },
              {
                name: 'phone',
                label: 'Phone',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'Any common format; stored in E.164.'
              },
              {
                name: 'phoneRegion',
                label: 'Phone region',
                type: 'string',
                control_type: 'text',
                optional: true,
                hint: 'ISO 3166-1 alpha-2 region for a phone without country code; the workspace\'s default otherwise.'
              }
            ]
          },
          {
            name: 'properties',
            label: 'Properties',
            type: 'object',
            optional: true,
            hint: 'Event properties (keys: letters, digits, - and _): strings, numbers, booleans, nested objects and lists of objects; at most 50 KB. Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          },
          {
            name: 'contactProperties',
            label: 'Contact properties',
            type: 'object',
            optional: true,
            hint: 'Contact attributes Brevo updates along with the event (names are upper-cased). Map an object datapill, or use a formula such as {"plan" => "pro"}.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', 'v1/events', nil, input.slice('eventId', 'name', 'occurredAt', 'contact', 'properties', 'contactProperties'), input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['event_write_result']
      end,
      sample_output: lambda do |_connection, _input|
        {
          result: 'created',
          event: {
            id: '3c1e9d4a-2b7f-4e8a-a1d5-6f0c2b9e7a31',
            eventId: 'shopify:order:5001',
            name: 'order_created',
            occurredAt: '2026-11-23T09:15:00.000Z',
            contact: {
              externalId: 'shopify:7001',
              email: 'max@example.com',
              phone: nil
            },
            properties: {
              order_id: '5001',
              total_cents: 4990,
              items: [
                {
                  sku: 'BK-1',
                  quantity: 2
                }
              ]
            },
            contactProperties: {
              'FIRSTNAME' => 'Max'
            },
            createdAt: '2026-11-23T09:15:02.000Z'
          }
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    track_events: {
      title: 'Batch track events',
      subtitle: 'Track events in a batch in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Batch track <span class="provider">events</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Tracks up to 1,000 events. Each gets its own result (created, unchanged, or rejected with index, field and reason); one bad event never fails the batch. Needs an API key with the write scope.',
      batch: true,
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['event_batch_request_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        response = call('tajo_request', 'post', 'v1/events/batch', nil, input.slice('events'), input['idempotency_key'].presence)
        call('split_batch', response['results'])
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          { name: 'successful_records', label: 'Successful records', type: 'array', of: 'object', optional: false, properties: object_definitions['event_record_result'] + [
            {
              name: 'list_index',
              label: 'List index',
              type: 'integer',
              optional: false,
              hint: 'Position of the record in the input list (from 0).'
            }
          ] },
          { name: 'failed_records', label: 'Failed records', type: 'array', of: 'object', optional: false, properties: object_definitions['event_record_result'] + [
            {
              name: 'list_index',
              label: 'List index',
              type: 'integer',
              optional: false,
              hint: 'Position of the record in the input list (from 0).'
            }
          ] },
          { name: 'success_count', label: 'Success count', type: 'integer', optional: false },
          { name: 'failed_count', label: 'Failed count', type: 'integer', optional: false }
        ]
      end,
      sample_output: lambda do |_connection, _input|
        {
          successful_records: [
            {
              index: 0,
              status: 'created',
              id: '3c1e9d4a-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              eventId: 'web:1',
              errors: [],
              list_index: 0
            }
          ],
          failed_records: [
            {
              index: 1,
              status: 'rejected',
              id: nil,
              eventId: nil,
              errors: [
                {
                  field: 'name',
                  reason: '1-255 characters: letters, digits, - and _ only (Brevo\'s rule)'
                },
                {
                  field: 'contact.email',
                  reason: 'not a valid email address'
                }
              ],
              list_index: 1
            }
          ],
          success_count: 1,
          failed_count: 1
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    get_event: {
      title: 'Get event',
      subtitle: 'Get an event in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">event</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Event ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/events/#{input['id'].to_s.encode_url}", nil, nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['event']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '3c1e9d4a-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          eventId: 'shopify:order:5001',
          name: 'order_created',
          occurredAt: '2026-11-23T09:15:00.000Z',
          contact: {
            externalId: 'shopify:7001',
            email: 'max@example.com',
            phone: nil
          },
          properties: {
            order_id: '5001',
            total_cents: 4990,
            items: [
              {
                sku: 'BK-1',
                quantity: 2
              }
            ]
          },
          contactProperties: {
            'FIRSTNAME' => 'Max'
          },
          createdAt: '2026-11-23T09:15:02.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    search_lists: {
      title: 'Search lists',
      subtitle: 'Search lists in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Search <span class="provider">lists</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Lists in order of last update (oldest first), filtered by part of their name; page with `cursor`. Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Part of the name, case-insensitive.'
          },
          {
            name: 'limit',
            label: 'Limit',
            type: 'integer',
            control_type: 'integer',
            optional: true,
            hint: 'Page size, 1 to 200.'
          },
          {
            name: 'cursor',
            label: 'Cursor',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The `nextCursor` of the previous page.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', 'v1/lists', input.slice('name', 'limit', 'cursor'), nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['list_page']
      end,
      sample_output: lambda do |_connection, _input|
        {
          data: [
            {
              id: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
              name: 'VIP customers',
              memberCount: 2,
              version: 1,
              createdAt: '2026-11-23T10:00:00.000Z',
              updatedAt: '2026-11-23T10:00:00.000Z'
            }
          ],
          nextCursor: nil
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    create_list: {
      title: 'Create list',
      subtitle: 'Create a list in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Create <span class="provider">list</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Creates an empty list; answers 409 when the workspace already has a list of that name. The list is created in Brevo too. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['list_definition_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Left blank, it is derived from this step\'s input: Workato\'s retries are safe, and the same input again within 24 hours answers the first result. To act again on identical input, map a value unique to each run (e.g. the triggering record\'s ID).'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', 'v1/lists', nil, input.slice('name'), call('idempotency_key', 'createList', input))
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['list']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
          name: 'VIP customers',
          memberCount: 2,
          version: 1,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:00.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    get_list: {
      title: 'Get list',
      subtitle: 'Get a list in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">list</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'List',
            type: 'string',
            control_type: 'select',
            pick_list: 'lists',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'id',
              label: 'List',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'A Tajo ID.'
            },
            hint: 'A Tajo ID.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/lists/#{input['id'].to_s.encode_url}", nil, nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['list']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
          name: 'VIP customers',
          memberCount: 2,
          version: 1,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:00.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    rename_list: {
      title: 'Rename list',
      subtitle: 'Rename a list in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Rename <span class="provider">list</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Renames the list here and in Brevo; answers 409 when another list of the workspace has that name. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'List',
            type: 'string',
            control_type: 'select',
            pick_list: 'lists',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'id',
              label: 'List',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'A Tajo ID.'
            },
            hint: 'A Tajo ID.'
          }
        ] +
        object_definitions['list_definition_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'patch', "v1/lists/#{input['id'].to_s.encode_url}", nil, input.slice('name'), input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['list']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
          name: 'VIP customers',
          memberCount: 2,
          version: 1,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:00.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'PATCH'
      ],
      max_retries: 3
    },
    delete_list: {
      title: 'Delete list',
      subtitle: 'Delete a list in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Delete <span class="provider">list</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Deletes the list and its memberships (never the contacts), here and in Brevo. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'List',
            type: 'string',
            control_type: 'select',
            pick_list: 'lists',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'id',
              label: 'List',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'A Tajo ID.'
            },
            hint: 'A Tajo ID.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'delete', "v1/lists/#{input['id'].to_s.encode_url}", nil, nil, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['list_deletion']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
          status: 'deleted'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'DELETE'
      ],
      max_retries: 3
    },
    add_list_members: {
      title: 'Add members to list',
      subtitle: 'Add contacts to a list in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Add members to <span class="provider">list</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Adds up to 1,000 contacts, named by Tajo ID or external ID. Each gets its own result (added, already_member, or rejected with index and reason); one bad reference never fails the batch. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'List',
            type: 'string',
            control_type: 'select',
            pick_list: 'lists',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'id',
              label: 'List',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'A Tajo ID.'
            },
            hint: 'A Tajo ID.'
          }
        ] +
        object_definitions['list_membership_request_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', "v1/lists/#{input['id'].to_s.encode_url}/members/add", nil, input.slice('contacts'), input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['list_membership_batch_result']
      end,
      sample_output: lambda do |_connection, _input|
        {
          results: [
            {
              index: 0,
              status: 'added',
              contactId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              reason: nil
            },
            {
              index: 1,
              status: 'already_member',
              contactId: '5c2e8a1b-7f3d-4b6e-8a9c-1d0e2f3a4b5c',
              reason: nil
            },
            {
              index: 2,
              status: 'rejected',
              contactId: nil,
              reason: 'no contact with this external ID in the workspace'
            }
          ],
          counts: {
            added: 1,
            already_member: 1,
            rejected: 1
          }
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    remove_list_members: {
      title: 'Remove members from list',
      subtitle: 'Remove contacts from a list in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Remove members from <span class="provider">list</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Removes up to 1,000 contacts, named by Tajo ID or external ID. Each gets its own result (removed, not_member, or rejected with index and reason); the contacts themselves stay. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'List',
            type: 'string',
            control_type: 'select',
            pick_list: 'lists',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'id',
              label: 'List',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'A Tajo ID.'
            },
            hint: 'A Tajo ID.'
          }
        ] +
        object_definitions['list_membership_request_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', "v1/lists/#{input['id'].to_s.encode_url}/members/remove", nil, input.slice('contacts'), input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['list_membership_batch_result']
      end,
      sample_output: lambda do |_connection, _input|
        {
          results: [
            {
              index: 0,
              status: 'added',
              contactId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              reason: nil
            },
            {
              index: 1,
              status: 'already_member',
              contactId: '5c2e8a1b-7f3d-4b6e-8a9c-1d0e2f3a4b5c',
              reason: nil
            },
            {
              index: 2,
              status: 'rejected',
              contactId: nil,
              reason: 'no contact with this external ID in the workspace'
            }
          ],
          counts: {
            added: 1,
            already_member: 1,
            rejected: 1
          }
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    search_object_types: {
      title: 'Search object types',
      subtitle: 'Search object types in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Search <span class="provider">object types</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Object types in order of last update (oldest first); page with `cursor`. Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'limit',
            label: 'Limit',
            type: 'integer',
            control_type: 'integer',
            optional: true,
            hint: 'Page size, 1 to 200.'
          },
          {
            name: 'cursor',
            label: 'Cursor',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The `nextCursor` of the previous page.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', 'v1/object-types', input.slice('limit', 'cursor'), nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_type_page']
      end,
      sample_output: lambda do |_connection, _input|
        {
          data: [
            {
              id: '5e2b8c4a-1f3d-4a6e-9b7c-0d8e2f4a6b1c',
              name: 'subscription',
              brevoObjectType: 'subscription',
              attributes: [
                {
                  name: 'subscription_id',
                  type: 'text',
                  required: true
                },
                {
                  name: 'renews_on',
                  type: 'date',
                  required: false
                }
              ],
              externalIdRule: {
                kind: 'attribute',
                attribute: 'subscription_id'
              },
              associations: [
                'contact'
              ],
              version: 1,
              createdAt: '2026-11-26T09:00:00.000Z',
              updatedAt: '2026-11-26T09:00:00.000Z'
            }
          ],
          nextCursor: nil
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    get_object_type: {
      title: 'Get object type',
      subtitle: 'Get an object type in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">object type</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/object-types/#{input['objectType'].to_s.encode_url}", nil, nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_type']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '5e2b8c4a-1f3d-4a6e-9b7c-0d8e2f4a6b1c',
          name: 'subscription',
          brevoObjectType: 'subscription',
          attributes: [
            {
              name: 'subscription_id',
              type: 'text',
              required: true
            },
            {
              name: 'renews_on',
              type: 'date',
              required: false
            }
          ],
          externalIdRule: {
            kind: 'attribute',
            attribute: 'subscription_id'
          },
          associations: [
            'contact'
          ],
          version: 1,
          createdAt: '2026-11-26T09:00:00.000Z',
          updatedAt: '2026-11-26T09:00:00.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    search_object_records: {
      title: 'Search object records',
      subtitle: 'Search object records in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Search <span class="provider">object records</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Records of a type in order of last update (oldest first), filtered by external ID, update time or associated contact; page with `cursor`. Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'updatedSince',
            label: 'Updated since',
            type: 'date_time',
            control_type: 'date_time',
            optional: true,
            hint: 'Only records updated at or after this time.'
          },
          {
            name: 'contactId',
            label: 'Contact ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Only records associated with this contact (Tajo ID).'
          },
          {
            name: 'contactExternalId',
            label: 'Contact external ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Only records associated with the contact of this external ID (pending associations included).'
          },
          {
            name: 'limit',
            label: 'Limit',
            type: 'integer',
            control_type: 'integer',
            optional: true,
            hint: 'Page size, 1 to 200.'
          },
          {
            name: 'cursor',
            label: 'Cursor',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The `nextCursor` of the previous page.'
          },
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/objects/#{input['objectType'].to_s.encode_url}/records", input.slice('externalId', 'updatedSince', 'contactId', 'contactExternalId', 'limit', 'cursor'), nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_record_page']
      end,
      sample_output: lambda do |_connection, _input|
        {
          data: [
            {
              id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c',
              objectType: 'subscription',
              externalId: 'SUB-1001',
              attributes: {
                subscription_id: 'SUB-1001',
                plan: 'pro',
                renews_on: '2026-12-01',
                monthly_price: {
                  currency: 'EUR',
                  amountMinor: 4990
                },
                billing_email: 'ada@example.com'
              },
              associations: [
                {
                  id: '2a4c6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f',
                  objectType: 'contact',
                  externalId: 'salesforce:0035e00000Bx1QkAAJ',
                  targetId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
                  pending: false,
                  createdAt: '2026-11-26T09:00:00.000Z'
                }
              ],
              version: 1,
              createdAt: '2026-11-26T09:00:00.000Z',
              updatedAt: '2026-11-26T09:00:00.000Z'
            }
          ],
          nextCursor: nil
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    upsert_object_record: {
      title: 'Upsert object record',
      subtitle: 'Upsert an object record in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Upsert <span class="provider">object record</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Creates the record, or merges into the one with the same external ID, and adds the associations given: an attribute left out keeps its value, null clears it. Each attribute applies only when its source time (`sourceUpdatedAt`, else arrival) is newer than the stored one; `skipped` names those that were older. An identical re-send answers `unchanged`, an older one `stale`; neither queues work. Fields mapped to empty values are left out, so Tajo keeps what it holds, unless "Clear fields mapped to empty values" is on. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          }
        ] +
        object_definitions['object_record_data_input'] +
        [
          {
            name: 'clear_empty_fields',
            label: 'Clear fields mapped to empty values',
            type: 'boolean',
            control_type: 'checkbox',
            convert_input: 'boolean_conversion',
            optional: true,
            sticky: true,
            toggle_hint: 'Select from options',
            toggle_field: {
              name: 'clear_empty_fields',
              label: 'Clear fields mapped to empty values',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value',
              hint: 'true or false'
            },
            hint: 'Off (default): a field mapped to an empty value (a datapill with no value in this job, or blank text) is left out of the request, so Tajo keeps the value it holds. On: such fields are sent as null, which clears them in Tajo (in a batch, in every record). Fields you do not map are never sent.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        # Fields mapped to empty values are left out, so Tajo keeps its values; sent as null (cleared) when the option is on.
        body = call('merge_payload', input.slice('externalId', 'attributes', 'associations', 'sourceUpdatedAt'), input['clear_empty_fields'].to_s == 'true')
        call('tajo_request', 'post', "v1/objects/#{input['objectType'].to_s.encode_url}/records", nil, body, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_record_write_result']
      end,
      sample_output: lambda do |_connection, _input|
        {
          result: 'created',
          skipped: [],
          record: {
            id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c',
            objectType: 'subscription',
            externalId: 'SUB-1001',
            attributes: {
              subscription_id: 'SUB-1001',
              plan: 'pro',
              renews_on: '2026-12-01',
              monthly_price: {
                currency: 'EUR',
                amountMinor: 4990
              },
              billing_email: 'ada@example.com'
            },
            associations: [
              {
                id: '2a4c6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f',
                objectType: 'contact',
                externalId: 'salesforce:0035e00000Bx1QkAAJ',
                targetId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
                pending: false,
                createdAt: '2026-11-26T09:00:00.000Z'
              }
            ],
            version: 1,
            createdAt: '2026-11-26T09:00:00.000Z',
            updatedAt: '2026-11-26T09:00:00.000Z'
          }
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    batch_upsert_object_records: {
      title: 'Batch upsert object records',
      subtitle: 'Batch upsert object records in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Batch upsert <span class="provider">object records</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Upserts up to 1,000 records of one type, each merged as the single upsert does. Each record gets its own result (created, updated, unchanged, stale, or rejected with index, field and reason); one bad record never fails the batch. Fields mapped to empty values are left out, so Tajo keeps what it holds, unless "Clear fields mapped to empty values" is on. Needs an API key with the write scope.',
      batch: true,
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          }
        ] +
        object_definitions['object_record_batch_request_input'] +
        [
          {
            name: 'clear_empty_fields',
            label: 'Clear fields mapped to empty values',
            type: 'boolean',
            control_type: 'checkbox',
            convert_input: 'boolean_conversion',
            optional: true,
            sticky: true,
            toggle_hint: 'Select from options',
            toggle_field: {
              name: 'clear_empty_fields',
              label: 'Clear fields mapped to empty values',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value',
              hint: 'true or false'
            },
            hint: 'Off (default): a field mapped to an empty value (a datapill with no value in this job, or blank text) is left out of the request, so Tajo keeps the value it holds. On: such fields are sent as null, which clears them in Tajo (in a batch, in every record). Fields you do not map are never sent.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        # Fields mapped to empty values are left out, so Tajo keeps its values; sent as null (cleared) when the option is on.
        body = call('merge_payload', input.slice('records'), input['clear_empty_fields'].to_s == 'true')
        response = call('tajo_request', 'post', "v1/objects/#{input['objectType'].to_s.encode_url}/records/batch", nil, body, input['idempotency_key'].presence)
        call('split_batch', response['results'])
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          { name: 'successful_records', label: 'Successful records', type: 'array', of: 'object', optional: false, properties: object_definitions['record_result'] + [
            {
              name: 'list_index',
              label: 'List index',
              type: 'integer',
              optional: false,
              hint: 'Position of the record in the input list (from 0).'
            }
          ] },
          { name: 'failed_records', label: 'Failed records', type: 'array', of: 'object', optional: false, properties: object_definitions['record_result'] + [
            {
              name: 'list_index',
              label: 'List index',
              type: 'integer',
              optional: false,
              hint: 'Position of the record in the input list (from 0).'
            }
          ] },
          { name: 'success_count', label: 'Success count', type: 'integer', optional: false },
          { name: 'failed_count', label: 'Failed count', type: 'integer', optional: false }
        ]
      end,
      sample_output: lambda do |_connection, _input|
        {
          successful_records: [
            {
              index: 0,
              status: 'created',
              id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c',
              externalId: 'SUB-1001',
              errors: [],
              list_index: 0
            }
          ],
          failed_records: [
            {
              index: 1,
              status: 'rejected',
              id: nil,
              externalId: nil,
              errors: [
                {
                  field: 'attributes.billing_email',
                  reason: 'not an email address: no \'@\''
                }
              ],
              list_index: 1
            }
          ],
          success_count: 1,
          failed_count: 1
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    lookup_object_record: {
      title: 'Get object record by external ID',
      subtitle: 'Get an object record by external ID in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">object record by external ID</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: false
          },
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/objects/#{input['objectType'].to_s.encode_url}/records/lookup", input.slice('externalId'), nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_record']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c',
          objectType: 'subscription',
          externalId: 'SUB-1001',
          attributes: {
            subscription_id: 'SUB-1001',
            plan: 'pro',
            renews_on: '2026-12-01',
            monthly_price: {
              currency: 'EUR',
              amountMinor: 4990
            },
            billing_email: 'ada@example.com'
          },
          associations: [
            {
              id: '2a4c6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f',
              objectType: 'contact',
              externalId: 'salesforce:0035e00000Bx1QkAAJ',
              targetId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              pending: false,
              createdAt: '2026-11-26T09:00:00.000Z'
            }
          ],
          version: 1,
          createdAt: '2026-11-26T09:00:00.000Z',
          updatedAt: '2026-11-26T09:00:00.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    get_object_record: {
      title: 'Get object record',
      subtitle: 'Get an object record in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">object record</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          },
          {
            name: 'id',
            label: 'Object record ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The record\'s Tajo ID.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/objects/#{input['objectType'].to_s.encode_url}/records/#{input['id'].to_s.encode_url}", nil, nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_record']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c',
          objectType: 'subscription',
          externalId: 'SUB-1001',
          attributes: {
            subscription_id: 'SUB-1001',
            plan: 'pro',
            renews_on: '2026-12-01',
            monthly_price: {
              currency: 'EUR',
              amountMinor: 4990
            },
            billing_email: 'ada@example.com'
          },
          associations: [
            {
              id: '2a4c6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f',
              objectType: 'contact',
              externalId: 'salesforce:0035e00000Bx1QkAAJ',
              targetId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              pending: false,
              createdAt: '2026-11-26T09:00:00.000Z'
            }
          ],
          version: 1,
          createdAt: '2026-11-26T09:00:00.000Z',
          updatedAt: '2026-11-26T09:00:00.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    delete_object_record: {
      title: 'Delete object record',
      subtitle: 'Delete an object record in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Delete <span class="provider">object record</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Soft delete: the record disappears from reads and its deletion is activated downstream; its history is kept. Upserting it again brings it back. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          },
          {
            name: 'id',
            label: 'Object record ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The record\'s Tajo ID.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'delete', "v1/objects/#{input['objectType'].to_s.encode_url}/records/#{input['id'].to_s.encode_url}", nil, nil, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_record_deletion']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c',
          status: 'deleted'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'DELETE'
      ],
      max_retries: 3
    },
    erase_object_record: {
      title: 'Erase object record (GDPR)',
      subtitle: 'Erase an object record (GDPR) in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Erase <span class="provider">object record (GDPR)</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Hard delete: removes the record, its versions and associations, and stored responses that quote it. Only its erasure is queued, with its external ID. Needs an API key with the admin scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          },
          {
            name: 'id',
            label: 'Object record ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The record\'s Tajo ID.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', "v1/objects/#{input['objectType'].to_s.encode_url}/records/#{input['id'].to_s.encode_url}/erasure", nil, nil, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_record_deletion']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c',
          status: 'deleted'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    associate_object_record: {
      title: 'Associate object record',
      subtitle: 'Associate an object record in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Associate <span class="provider">object record</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Associates the record with up to 1,000 contacts (by Tajo ID, external ID or email) or records of types it allows (by Tajo ID or external ID). An end named by external ID may arrive later: the association is pending until then. Each gets its own result; one bad reference never fails the others. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          },
          {
            name: 'id',
            label: 'Object record ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The record\'s Tajo ID.'
          }
        ] +
        object_definitions['object_association_request_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', "v1/objects/#{input['objectType'].to_s.encode_url}/records/#{input['id'].to_s.encode_url}/associations", nil, input.slice('associations'), input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_association_batch_result']
      end,
      sample_output: lambda do |_connection, _input|
        {
          results: [
            {
              index: 0,
              status: 'created',
              id: '2a4c6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f',
              errors: []
            },
            {
              index: 1,
              status: 'rejected',
              id: nil,
              errors: [
                {
                  field: 'associations.1.objectType',
                  reason: 'subscription records may not be associated with \'vehicle\'; allowed: contact'
                }
              ]
            }
          ]
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    dissociate_object_record: {
      title: 'Dissociate object record',
      subtitle: 'Dissociate an object record in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Dissociate <span class="provider">object record</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Removes associations of the record, named as when they were made; the removal is activated downstream. Each gets its own result (removed, unchanged when there was none, or rejected). Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          },
          {
            name: 'id',
            label: 'Object record ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'The record\'s Tajo ID.'
          }
        ] +
        object_definitions['object_association_request_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'delete', "v1/objects/#{input['objectType'].to_s.encode_url}/records/#{input['id'].to_s.encode_url}/associations", nil, input.slice('associations'), input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_association_batch_result']
      end,
      sample_output: lambda do |_connection, _input|
        {
          results: [
            {
              index: 0,
              status: 'created',
              id: '2a4c6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f',
              errors: []
            },
            {
              index: 1,
              status: 'rejected',
              id: nil,
              errors: [
                {
                  field: 'associations.1.objectType',
                  reason: 'subscription records may not be associated with \'vehicle\'; allowed: contact'
                }
              ]
            }
          ]
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'DELETE'
      ],
      max_retries: 3
    },
    send_transactional_message: {
      title: 'Send transactional email',
      subtitle: 'Send a transactional email in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Send <span class="provider">transactional email</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Queues an email from a Brevo template to one contact\'s address. Brevo gets the message\'s ID as its idempotency key, so retries inside Tajo never deliver it twice; send the request with an Idempotency-Key to make your own retries safe too. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['transactional_message_input_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Left blank, it is derived from this step\'s input: Workato\'s retries are safe, and the same input again within 24 hours answers the first result. To act again on identical input, map a value unique to each run (e.g. the triggering record\'s ID).'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', 'v1/messages/transactional', nil, input.slice('to', 'templateId', 'params'), call('idempotency_key', 'sendTransactionalMessage', input))
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['message']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
          contactId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          templateId: 12,
          params: {
            'ORDER' => 'A-1001'
          },
          status: 'sent',
          brevoMessageId: '<202611231000.12345678@smtp-relay.mailin.fr>',
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:01.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    get_message: {
      title: 'Get transactional email',
      subtitle: 'Get a message in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">transactional email</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Transactional email ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/messages/#{input['id'].to_s.encode_url}", nil, nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['message']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
          contactId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          templateId: 12,
          params: {
            'ORDER' => 'A-1001'
          },
          status: 'sent',
          brevoMessageId: '<202611231000.12345678@smtp-relay.mailin.fr>',
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:01.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    create_campaign_draft: {
      title: 'Create campaign draft',
      subtitle: 'Prepare a campaign draft in Brevo in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Create <span class="provider">campaign draft</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Queues an email campaign draft aimed at a Tajo list (its Brevo list is created if needed). The draft gets a deterministic name in Brevo, so a retried creation finds it instead of making another; nothing is sent or scheduled. Send with an Idempotency-Key to make your own retries safe. Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['new_campaign_draft_input'] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Left blank, it is derived from this step\'s input: Workato\'s retries are safe, and the same input again within 24 hours answers the first result. To act again on identical input, map a value unique to each run (e.g. the triggering record\'s ID).'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', 'v1/campaigns/drafts', nil, input.slice('name', 'listId', 'subject', 'sender', 'templateId'), call('idempotency_key', 'createCampaignDraft', input))
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['campaign_draft']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
          name: 'November newsletter',
          listId: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
          subject: 'What is new in November',
          sender: {
            name: 'Tajo Shop',
            email: 'news@shop.example'
          },
          templateId: 12,
          status: 'created',
          brevoCampaignId: 41,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:02.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    get_campaign_draft: {
      title: 'Get campaign draft',
      subtitle: 'Get a campaign draft in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">campaign draft</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Campaign draft ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/campaigns/drafts/#{input['id'].to_s.encode_url}", nil, nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['campaign_draft']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
          name: 'November newsletter',
          listId: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
          subject: 'What is new in November',
          sender: {
            name: 'Tajo Shop',
            email: 'news@shop.example'
          },
          templateId: 12,
          status: 'created',
          brevoCampaignId: 41,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:02.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    search_dead_letters: {
      title: 'Search dead letters',
      subtitle: 'Search dead letters in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Search <span class="provider">dead letters</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Records Brevo refused for good or that ran out of retries, oldest first, filtered by category, status and creation time; page with `cursor`. Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'category',
            label: 'Category',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Mapping',
                'mapping'
              ],
              [
                'Validation',
                'validation'
              ],
              [
                'Authentication',
                'authentication'
              ],
              [
                'Permission',
                'permission'
              ],
              [
                'Rate limited',
                'rate_limited'
              ],
              [
                'Vendor unavailable',
                'vendor_unavailable'
              ]
            ],
            optional: true,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'category',
              label: 'Category',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Open',
                'open'
              ],
              [
                'Retried',
                'retried'
              ],
              [
                'Discarded',
                'discarded'
              ]
            ],
            optional: true,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'since',
            label: 'Since',
            type: 'date_time',
            control_type: 'date_time',
            optional: true,
            hint: 'Only dead letters created at or after this time.'
          },
          {
            name: 'limit',
            label: 'Limit',
            type: 'integer',
            control_type: 'integer',
            optional: true,
            hint: 'Page size, 1 to 200.'
          },
          {
            name: 'cursor',
            label: 'Cursor',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The `nextCursor` of the previous page.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', 'v1/dead-letters', input.slice('category', 'status', 'since', 'limit', 'cursor'), nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['dead_letter_page']
      end,
      sample_output: lambda do |_connection, _input|
        {
          data: [
            {
              id: '5b0f7c1e-8d2a-4c3b-9e6f-1a2b3c4d5e6f',
              entityType: 'contact',
              entityId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              sourceObjectId: 'shopify:8812',
              syncJobId: nil,
              category: 'mapping',
              reason: 'Brevo answered upsertContact with 400 duplicate_parameter: Unable to create contact, SMS is already associated with another Contact',
              request: {
                operation: 'upsertContact',
                body: {
                  ext_id: 'shopify:8812',
                  email: 'ana@example.com',
                  attributes: {
                    'SMS' => '+14155552671'
                  },
                  updateEnabled: true
                }
              },
              response: {
                code: 'duplicate_parameter',
                message: 'Unable to create contact, SMS is already associated with another Contact'
              },
              status: 'open',
              occurrences: 3,
              lastSeenAt: '2026-11-24T08:02:41.000Z',
              createdAt: '2026-11-23T10:15:00.000Z',
              updatedAt: '2026-11-24T08:02:41.000Z'
            }
          ],
          nextCursor: nil
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    get_dead_letter: {
      title: 'Get dead letter',
      subtitle: 'Get a dead letter in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Get <span class="provider">dead letter</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Needs an API key with the read scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Dead letter ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'get', "v1/dead-letters/#{input['id'].to_s.encode_url}", nil, nil, nil)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['dead_letter']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '5b0f7c1e-8d2a-4c3b-9e6f-1a2b3c4d5e6f',
          entityType: 'contact',
          entityId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          sourceObjectId: 'shopify:8812',
          syncJobId: nil,
          category: 'mapping',
          reason: 'Brevo answered upsertContact with 400 duplicate_parameter: Unable to create contact, SMS is already associated with another Contact',
          request: {
            operation: 'upsertContact',
            body: {
              ext_id: 'shopify:8812',
              email: 'ana@example.com',
              attributes: {
                'SMS' => '+14155552671'
              },
              updateEnabled: true
            }
          },
          response: {
            code: 'duplicate_parameter',
            message: 'Unable to create contact, SMS is already associated with another Contact'
          },
          status: 'open',
          occurrences: 3,
          lastSeenAt: '2026-11-24T08:02:41.000Z',
          createdAt: '2026-11-23T10:15:00.000Z',
          updatedAt: '2026-11-24T08:02:41.000Z'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'GET'
      ],
      max_retries: 3
    },
    retry_dead_letter: {
      title: 'Retry dead letter',
      subtitle: 'Retry a dead letter in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Retry <span class="provider">dead letter</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Re-runs activation with the record\'s current data in Tajo, once: a letter already retried answers `already_retried` and queues nothing, with or without an Idempotency-Key. A discarded letter, or one whose record is gone from Tajo, cannot be retried (409). Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Dead letter ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', "v1/dead-letters/#{input['id'].to_s.encode_url}/retry", nil, nil, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['dead_letter_retry']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '5b0f7c1e-8d2a-4c3b-9e6f-1a2b3c4d5e6f',
          entityType: 'contact',
          entityId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          sourceObjectId: 'shopify:8812',
          syncJobId: nil,
          category: 'mapping',
          reason: 'Brevo answered upsertContact with 400 duplicate_parameter: Unable to create contact, SMS is already associated with another Contact',
          request: {
            operation: 'upsertContact',
            body: {
              ext_id: 'shopify:8812',
              email: 'ana@example.com',
              attributes: {
                'SMS' => '+14155552671'
              },
              updateEnabled: true
            }
          },
          response: {
            code: 'duplicate_parameter',
            message: 'Unable to create contact, SMS is already associated with another Contact'
          },
          status: 'retried',
          occurrences: 3,
          lastSeenAt: '2026-11-24T08:02:41.000Z',
          createdAt: '2026-11-23T10:15:00.000Z',
          updatedAt: '2026-11-24T08:02:41.000Z',
          result: 'retried'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    },
    discard_dead_letter: {
      title: 'Discard dead letter',
      subtitle: 'Discard a dead letter in Tajo',
      description: lambda do |_input, _pick_list_label|
        'Discard <span class="provider">dead letter</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Marks it handled without activating the record; it stays for audit. A letter already discarded answers `already_discarded`, with or without an Idempotency-Key; a retried one cannot be discarded (409). Needs an API key with the write scope.',
      input_fields: lambda do |object_definitions, _connection, _config_fields|
        [
          {
            name: 'id',
            label: 'Dead letter ID',
            type: 'string',
            control_type: 'text',
            optional: false,
            hint: 'A Tajo ID.'
          }
        ] +
        [
          {
            name: 'idempotency_key',
            label: 'Idempotency key',
            type: 'string',
            control_type: 'text',
            optional: true,
            sticky: true,
            hint: 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
          }
        ]
      end,
      execute: lambda do |_connection, input, _input_schema, _output_schema|
        call('tajo_request', 'post', "v1/dead-letters/#{input['id'].to_s.encode_url}/discard", nil, nil, input['idempotency_key'].presence)
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['dead_letter_discard']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '5b0f7c1e-8d2a-4c3b-9e6f-1a2b3c4d5e6f',
          entityType: 'contact',
          entityId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          sourceObjectId: 'shopify:8812',
          syncJobId: nil,
          category: 'mapping',
          reason: 'Brevo answered upsertContact with 400 duplicate_parameter: Unable to create contact, SMS is already associated with another Contact',
          request: {
            operation: 'upsertContact',
            body: {
              ext_id: 'shopify:8812',
              email: 'ana@example.com',
              attributes: {
                'SMS' => '+14155552671'
              },
              updateEnabled: true
            }
          },
          response: {
            code: 'duplicate_parameter',
            message: 'Unable to create contact, SMS is already associated with another Contact'
          },
          status: 'discarded',
          occurrences: 3,
          lastSeenAt: '2026-11-24T08:02:41.000Z',
          createdAt: '2026-11-23T10:15:00.000Z',
          updatedAt: '2026-11-24T08:02:41.000Z',
          result: 'discarded'
        }
      end,
      retry_on_response: [
        429,
        500,
        502,
        503,
        504
      ],
      retry_on_request: [
        'POST'
      ],
      max_retries: 3
    }
  },
  triggers: {
    new_or_updated_contact: {
      title: 'New or updated contact',
      subtitle: 'Triggers when a contact is created or updated in Tajo',
      description: lambda do |_input, _pick_list_label|
        'New or updated <span class="provider">contact</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Checks Tajo for contacts by updated at, oldest first, and never delivers the same version twice. Needs an API key with the read scope.',
      input_fields: lambda do |_object_definitions, _connection, _config_fields|
        [
          {
            name: 'since',
            label: 'When first started, this recipe should pick up records from',
            type: 'date_time',
            control_type: 'date_time',
            optional: true,
            sticky: true,
            hint: 'Leave blank to start from one hour ago. Once the recipe has run, changing this has no effect.'
          },
          {
            name: 'email',
            label: 'Email',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Exact email (normalized before matching).'
          },
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'attribute',
            label: 'Attribute',
            type: 'string',
            control_type: 'select',
            pick_list: 'contact_attributes',
            optional: true,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'attribute',
              label: 'Attribute',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value',
              hint: 'A custom attribute name; with `attributeValue`, only contacts whose attribute has that value.'
            },
            hint: 'A custom attribute name; with `attributeValue`, only contacts whose attribute has that value.'
          },
          {
            name: 'attributeValue',
            label: 'Attribute value',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'The value to match, as text: "pro", "12" and "true" match the text, the number and the boolean.'
          }
        ]
      end,
      poll: lambda do |_connection, input, closure|
        closure ||= {}
        query = input.slice('email', 'externalId', 'attribute', 'attributeValue').merge('limit' => 100)
        # Workato hands the closure back with its times parsed: written out again as the API's UTC ISO-8601.
        previous = closure['boundary'].presence && closure['boundary'].to_time.utc.iso8601(3)
        query['updatedSince'] = (closure['since'].presence || input['since'].presence || 1.hour.ago).to_time.utc.iso8601(3)
        query['cursor'] = closure['cursor'] if closure['cursor'].present?
        page = call('tajo_request', 'get', 'v1/contacts', query, nil, nil)
        records = page['data']
        stamps = records.map { |record| record['updatedAt'].to_time.utc.iso8601(3) }
        keys = records.map { |record| "#{record['id']}@#{record['updatedAt']}" }
        # Records at the boundary time were delivered before: skip them, not the ones after. A batch write
        # gives many records one timestamp, across pages, so the boundary's keys add up until it moves.
        seen = closure['seen'] || []
        fresh = records.reject.with_index { |_record, index| seen.include?(keys[index]) }
        boundary = stamps.last || previous
        at_boundary = keys.select.with_index { |_key, index| stamps[index] == boundary }
        seen = ((previous == boundary ? seen : []) + at_boundary).uniq
        more = page['nextCursor'].present?
        next_closure = { 'since' => more ? query['updatedSince'] : (boundary || query['updatedSince']), 'boundary' => boundary, 'seen' => seen }
        next_closure['cursor'] = page['nextCursor'] if more
        { events: fresh, next_poll: next_closure, can_poll_more: more }
      end,
      dedup: lambda do |record|
        "#{record['id']}@#{record['updatedAt']}"
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          externalId: 'salesforce:0035e00000Bx1QkAAJ',
          source: 'salesforce',
          sourceId: '0035e00000Bx1QkAAJ',
          email: 'ada.lovelace@example.com',
          phone: '+14155552671',
          firstName: 'Ada',
          lastName: 'Lovelace',
          locale: 'en-GB',
          lifetimeValue: {
            currency: 'USD',
            amountMinor: 125050
          },
          consent: {
            email: {
              status: 'opted_in',
              source: 'salesforce',
              timestamp: '2026-11-01T08:30:00.000Z'
            }
          },
          attributes: {
            plan: 'pro',
            seats: 12
          },
          sourceCreatedAt: nil,
          sourceUpdatedAt: '2024-11-23T08:20:00.000Z',
          version: 1,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:00.000Z'
        }
      end
    },
    new_event: {
      title: 'New event',
      subtitle: 'Triggers when an event is created in Tajo',
      description: lambda do |_input, _pick_list_label|
        'New <span class="provider">event</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Checks Tajo for events by created at, oldest first, and never delivers the same version twice. Needs an API key with the read scope.',
      input_fields: lambda do |_object_definitions, _connection, _config_fields|
        [
          {
            name: 'since',
            label: 'When first started, this recipe should pick up records from',
            type: 'date_time',
            control_type: 'date_time',
            optional: true,
            sticky: true,
            hint: 'Leave blank to start from one hour ago. Once the recipe has run, changing this has no effect.'
          },
          {
            name: 'contactExternalId',
            label: 'Contact external ID',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'email',
            label: 'Email',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Exact email (normalized before matching).'
          },
          {
            name: 'name',
            label: 'Name',
            type: 'string',
            control_type: 'select',
            pick_list: 'event_names',
            optional: true,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'name',
              label: 'Name',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value',
              hint: 'Exact event name.'
            },
            hint: 'Exact event name.'
          }
        ]
      end,
      poll: lambda do |_connection, input, closure|
        closure ||= {}
        query = input.slice('contactExternalId', 'email', 'name').merge('limit' => 100)
        # Workato hands the closure back with its times parsed: written out again as the API's UTC ISO-8601.
        previous = closure['boundary'].presence && closure['boundary'].to_time.utc.iso8601(3)
        query['receivedSince'] = (closure['since'].presence || input['since'].presence || 1.hour.ago).to_time.utc.iso8601(3)
        query['cursor'] = closure['cursor'] if closure['cursor'].present?
        page = call('tajo_request', 'get', 'v1/events', query, nil, nil)
        records = page['data']
        stamps = records.map { |record| record['createdAt'].to_time.utc.iso8601(3) }
        keys = records.map { |record| "#{record['id']}@#{record['createdAt']}" }
        # Records at the boundary time were delivered before: skip them, not the ones after. A batch write
        # gives many records one timestamp, across pages, so the boundary's keys add up until it moves.
        seen = closure['seen'] || []
        fresh = records.reject.with_index { |_record, index| seen.include?(keys[index]) }
        boundary = stamps.last || previous
        at_boundary = keys.select.with_index { |_key, index| stamps[index] == boundary }
        seen = ((previous == boundary ? seen : []) + at_boundary).uniq
        more = page['nextCursor'].present?
        next_closure = { 'since' => more ? query['receivedSince'] : (boundary || query['receivedSince']), 'boundary' => boundary, 'seen' => seen }
        next_closure['cursor'] = page['nextCursor'] if more
        { events: fresh, next_poll: next_closure, can_poll_more: more }
      end,
      dedup: lambda do |record|
        "#{record['id']}@#{record['createdAt']}"
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['event']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '3c1e9d4a-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          eventId: 'shopify:order:5001',
          name: 'order_created',
          occurredAt: '2026-11-23T09:15:00.000Z',
          contact: {
            externalId: 'shopify:7001',
            email: 'max@example.com',
            phone: nil
          },
          properties: {
            order_id: '5001',
            total_cents: 4990,
            items: [
              {
                sku: 'BK-1',
                quantity: 2
              }
            ]
          },
          contactProperties: {
            'FIRSTNAME' => 'Max'
          },
          createdAt: '2026-11-23T09:15:02.000Z'
        }
      end
    },
    new_or_updated_object_record: {
      title: 'New or updated object record',
      subtitle: 'Triggers when an object record is created or updated in Tajo',
      description: lambda do |_input, _pick_list_label|
        'New or updated <span class="provider">object record</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Checks Tajo for object records by updated at, oldest first, and never delivers the same version twice. Needs an API key with the read scope.',
      input_fields: lambda do |_object_definitions, _connection, _config_fields|
        [
          {
            name: 'objectType',
            label: 'Object type',
            type: 'string',
            control_type: 'select',
            pick_list: 'object_types',
            optional: false,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'objectType',
              label: 'Object type',
              type: 'string',
              control_type: 'text',
              optional: false,
              toggle_hint: 'Use custom value',
              hint: 'The object type\'s name.'
            },
            hint: 'The object type\'s name.'
          },
          {
            name: 'since',
            label: 'When first started, this recipe should pick up records from',
            type: 'date_time',
            control_type: 'date_time',
            optional: true,
            sticky: true,
            hint: 'Leave blank to start from one hour ago. Once the recipe has run, changing this has no effect.'
          },
          {
            name: 'externalId',
            label: 'External ID',
            type: 'string',
            control_type: 'text',
            optional: true
          },
          {
            name: 'contactId',
            label: 'Contact ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Only records associated with this contact (Tajo ID).'
          },
          {
            name: 'contactExternalId',
            label: 'Contact external ID',
            type: 'string',
            control_type: 'text',
            optional: true,
            hint: 'Only records associated with the contact of this external ID (pending associations included).'
          }
        ]
      end,
      poll: lambda do |_connection, input, closure|
        closure ||= {}
        query = input.slice('externalId', 'contactId', 'contactExternalId').merge('limit' => 100)
        # Workato hands the closure back with its times parsed: written out again as the API's UTC ISO-8601.
        previous = closure['boundary'].presence && closure['boundary'].to_time.utc.iso8601(3)
        query['updatedSince'] = (closure['since'].presence || input['since'].presence || 1.hour.ago).to_time.utc.iso8601(3)
        query['cursor'] = closure['cursor'] if closure['cursor'].present?
        page = call('tajo_request', 'get', "v1/objects/#{input['objectType'].to_s.encode_url}/records", query, nil, nil)
        records = page['data']
        stamps = records.map { |record| record['updatedAt'].to_time.utc.iso8601(3) }
        keys = records.map { |record| "#{record['id']}@#{record['updatedAt']}" }
        # Records at the boundary time were delivered before: skip them, not the ones after. A batch write
        # gives many records one timestamp, across pages, so the boundary's keys add up until it moves.
        seen = closure['seen'] || []
        fresh = records.reject.with_index { |_record, index| seen.include?(keys[index]) }
        boundary = stamps.last || previous
        at_boundary = keys.select.with_index { |_key, index| stamps[index] == boundary }
        seen = ((previous == boundary ? seen : []) + at_boundary).uniq
        more = page['nextCursor'].present?
        next_closure = { 'since' => more ? query['updatedSince'] : (boundary || query['updatedSince']), 'boundary' => boundary, 'seen' => seen }
        next_closure['cursor'] = page['nextCursor'] if more
        { events: fresh, next_poll: next_closure, can_poll_more: more }
      end,
      dedup: lambda do |record|
        "#{record['id']}@#{record['updatedAt']}"
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['object_record']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c',
          objectType: 'subscription',
          externalId: 'SUB-1001',
          attributes: {
            subscription_id: 'SUB-1001',
            plan: 'pro',
            renews_on: '2026-12-01',
            monthly_price: {
              currency: 'EUR',
              amountMinor: 4990
            },
            billing_email: 'ada@example.com'
          },
          associations: [
            {
              id: '2a4c6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f',
              objectType: 'contact',
              externalId: 'salesforce:0035e00000Bx1QkAAJ',
              targetId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
              pending: false,
              createdAt: '2026-11-26T09:00:00.000Z'
            }
          ],
          version: 1,
          createdAt: '2026-11-26T09:00:00.000Z',
          updatedAt: '2026-11-26T09:00:00.000Z'
        }
      end
    },
    new_dead_letter: {
      title: 'New dead letter',
      subtitle: 'Triggers when a dead letter is created in Tajo',
      description: lambda do |_input, _pick_list_label|
        'New <span class="provider">dead letter</span> in <span class="provider">Tajo</span>'
      end,
      help: 'Checks Tajo for dead letters by created at, oldest first, and never delivers the same version twice. Needs an API key with the read scope.',
      input_fields: lambda do |_object_definitions, _connection, _config_fields|
        [
          {
            name: 'since',
            label: 'When first started, this recipe should pick up records from',
            type: 'date_time',
            control_type: 'date_time',
            optional: true,
            sticky: true,
            hint: 'Leave blank to start from one hour ago. Once the recipe has run, changing this has no effect.'
          },
          {
            name: 'category',
            label: 'Category',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Mapping',
                'mapping'
              ],
              [
                'Validation',
                'validation'
              ],
              [
                'Authentication',
                'authentication'
              ],
              [
                'Permission',
                'permission'
              ],
              [
                'Rate limited',
                'rate_limited'
              ],
              [
                'Vendor unavailable',
                'vendor_unavailable'
              ]
            ],
            optional: true,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'category',
              label: 'Category',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value'
            }
          },
          {
            name: 'status',
            label: 'Status',
            type: 'string',
            control_type: 'select',
            options: [
              [
                'Open',
                'open'
              ],
              [
                'Retried',
                'retried'
              ],
              [
                'Discarded',
                'discarded'
              ]
            ],
            optional: true,
            toggle_hint: 'Select from list',
            toggle_field: {
              name: 'status',
              label: 'Status',
              type: 'string',
              control_type: 'text',
              optional: true,
              toggle_hint: 'Use custom value'
            }
          }
        ]
      end,
      poll: lambda do |_connection, input, closure|
        closure ||= {}
        query = input.slice('category', 'status').merge('limit' => 100)
        # Workato hands the closure back with its times parsed: written out again as the API's UTC ISO-8601.
        previous = closure['boundary'].presence && closure['boundary'].to_time.utc.iso8601(3)
        query['since'] = (closure['since'].presence || input['since'].presence || 1.hour.ago).to_time.utc.iso8601(3)
        query['cursor'] = closure['cursor'] if closure['cursor'].present?
        page = call('tajo_request', 'get', 'v1/dead-letters', query, nil, nil)
        records = page['data']
        stamps = records.map { |record| record['createdAt'].to_time.utc.iso8601(3) }
        keys = records.map { |record| "#{record['id']}@#{record['createdAt']}" }
        # Records at the boundary time were delivered before: skip them, not the ones after. A batch write
        # gives many records one timestamp, across pages, so the boundary's keys add up until it moves.
        seen = closure['seen'] || []
        fresh = records.reject.with_index { |_record, index| seen.include?(keys[index]) }
        boundary = stamps.last || previous
        at_boundary = keys.select.with_index { |_key, index| stamps[index] == boundary }
        seen = ((previous == boundary ? seen : []) + at_boundary).uniq
        more = page['nextCursor'].present?
        next_closure = { 'since' => more ? query['since'] : (boundary || query['since']), 'boundary' => boundary, 'seen' => seen }
        next_closure['cursor'] = page['nextCursor'] if more
        { events: fresh, next_poll: next_closure, can_poll_more: more }
      end,
      dedup: lambda do |record|
        "#{record['id']}@#{record['createdAt']}"
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['dead_letter']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '5b0f7c1e-8d2a-4c3b-9e6f-1a2b3c4d5e6f',
          entityType: 'contact',
          entityId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          sourceObjectId: 'shopify:8812',
          syncJobId: nil,
          category: 'mapping',
          reason: 'Brevo answered upsertContact with 400 duplicate_parameter: Unable to create contact, SMS is already associated with another Contact',
          request: {
            operation: 'upsertContact',
            body: {
              ext_id: 'shopify:8812',
              email: 'ana@example.com',
              attributes: {
                'SMS' => '+14155552671'
              },
              updateEnabled: true
            }
          },
          response: {
            code: 'duplicate_parameter',
            message: 'Unable to create contact, SMS is already associated with another Contact'
          },
          status: 'open',
          occurrences: 3,
          lastSeenAt: '2026-11-24T08:02:41.000Z',
          createdAt: '2026-11-23T10:15:00.000Z',
          updatedAt: '2026-11-24T08:02:41.000Z'
        }
      end
    },
    new_or_updated_contact_real_time: {
      title: 'New or updated contact (real time)',
      subtitle: 'Triggers at once when Tajo announces contact.created or contact.updated',
      description: lambda do |_input, _pick_list_label|
        'New or updated <span class="provider">contact</span> (real time) in <span class="provider">Tajo</span>'
      end,
      help: 'Tajo sends signed notifications to this recipe as contact.created or contact.updated happens, retrying when Workato is unavailable. Starting the recipe subscribes it; stopping it unsubscribes. Needs an API key with the write scope.',
      input_fields: lambda do |_object_definitions, _connection, _config_fields|
        []
      end,
      webhook_subscribe: lambda do |webhook_url, _connection, _input, recipe_id|
        call('tajo_request', 'post', 'v1/webhooks', nil, { 'url' => webhook_url, 'events' => ['contact.created', 'contact.updated'], 'description' => "Workato recipe #{recipe_id}: New or updated contact (real time)" }, nil)
      end,
      webhook_unsubscribe: lambda do |webhook_subscribe_output|
        # Already gone (removed by hand, or disabled by Tajo) is what unsubscribing wants; {} is the JSON body Workato's delete sends.
        delete("v1/webhooks/#{webhook_subscribe_output['id'].to_s.encode_url}", {}).after_error_response(404) do |_code, _body, _headers, _message|
          {}
        end
      end,
      webhook_notification: lambda do |_input, payload, _extended_input_schema, _extended_output_schema, _headers, _params|
        payload['data']
      end,
      dedup: lambda do |record|
        "#{record['id']}@#{record['updatedAt']}"
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['contact']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          externalId: 'salesforce:0035e00000Bx1QkAAJ',
          source: 'salesforce',
          sourceId: '0035e00000Bx1QkAAJ',
          email: 'ada.lovelace@example.com',
          phone: '+14155552671',
          firstName: 'Ada',
          lastName: 'Lovelace',
          locale: 'en-GB',
          lifetimeValue: {
            currency: 'USD',
            amountMinor: 125050
          },
          consent: {
            email: {
              status: 'opted_in',
              source: 'salesforce',
              timestamp: '2026-11-01T08:30:00.000Z'
            }
          },
          attributes: {
            plan: 'pro',
            seats: 12
          },
          sourceCreatedAt: nil,
          sourceUpdatedAt: '2024-11-23T08:20:00.000Z',
          version: 1,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:00.000Z'
        }
      end
    },
    new_event_real_time: {
      title: 'New event (real time)',
      subtitle: 'Triggers at once when Tajo announces event.tracked',
      description: lambda do |_input, _pick_list_label|
        'New <span class="provider">event</span> (real time) in <span class="provider">Tajo</span>'
      end,
      help: 'Tajo sends signed notifications to this recipe as event.tracked happens, retrying when Workato is unavailable. Starting the recipe subscribes it; stopping it unsubscribes. Needs an API key with the write scope.',
      input_fields: lambda do |_object_definitions, _connection, _config_fields|
        []
      end,
      webhook_subscribe: lambda do |webhook_url, _connection, _input, recipe_id|
        call('tajo_request', 'post', 'v1/webhooks', nil, { 'url' => webhook_url, 'events' => ['event.tracked'], 'description' => "Workato recipe #{recipe_id}: New event (real time)" }, nil)
      end,
      webhook_unsubscribe: lambda do |webhook_subscribe_output|
        # Already gone (removed by hand, or disabled by Tajo) is what unsubscribing wants; {} is the JSON body Workato's delete sends.
        delete("v1/webhooks/#{webhook_subscribe_output['id'].to_s.encode_url}", {}).after_error_response(404) do |_code, _body, _headers, _message|
          {}
        end
      end,
      webhook_notification: lambda do |_input, payload, _extended_input_schema, _extended_output_schema, _headers, _params|
        payload['data']
      end,
      dedup: lambda do |record|
        "#{record['id']}@#{record['createdAt']}"
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['event']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '3c1e9d4a-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          eventId: 'shopify:order:5001',
          name: 'order_created',
          occurredAt: '2026-11-23T09:15:00.000Z',
          contact: {
            externalId: 'shopify:7001',
            email: 'max@example.com',
            phone: nil
          },
          properties: {
            order_id: '5001',
            total_cents: 4990,
            items: [
              {
                sku: 'BK-1',
                quantity: 2
              }
            ]
          },
          contactProperties: {
            'FIRSTNAME' => 'Max'
          },
          createdAt: '2026-11-23T09:15:02.000Z'
        }
      end
    },
    new_dead_letter_real_time: {
      title: 'New dead letter (real time)',
      subtitle: 'Triggers at once when Tajo announces dead_letter.created',
      description: lambda do |_input, _pick_list_label|
        'New <span class="provider">dead letter</span> (real time) in <span class="provider">Tajo</span>'
      end,
      help: 'Tajo sends signed notifications to this recipe as dead_letter.created happens, retrying when Workato is unavailable. Starting the recipe subscribes it; stopping it unsubscribes. Needs an API key with the write scope.',
      input_fields: lambda do |_object_definitions, _connection, _config_fields|
        []
      end,
      webhook_subscribe: lambda do |webhook_url, _connection, _input, recipe_id|
        call('tajo_request', 'post', 'v1/webhooks', nil, { 'url' => webhook_url, 'events' => ['dead_letter.created'], 'description' => "Workato recipe #{recipe_id}: New dead letter (real time)" }, nil)
      end,
      webhook_unsubscribe: lambda do |webhook_subscribe_output|
        # Already gone (removed by hand, or disabled by Tajo) is what unsubscribing wants; {} is the JSON body Workato's delete sends.
        delete("v1/webhooks/#{webhook_subscribe_output['id'].to_s.encode_url}", {}).after_error_response(404) do |_code, _body, _headers, _message|
          {}
        end
      end,
      webhook_notification: lambda do |_input, payload, _extended_input_schema, _extended_output_schema, _headers, _params|
        payload['data']
      end,
      dedup: lambda do |record|
        "#{record['id']}@#{record['createdAt']}"
      end,
      output_fields: lambda do |object_definitions, _connection, _config_fields|
        object_definitions['dead_letter']
      end,
      sample_output: lambda do |_connection, _input|
        {
          id: '5b0f7c1e-8d2a-4c3b-9e6f-1a2b3c4d5e6f',
          entityType: 'contact',
          entityId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
          sourceObjectId: 'shopify:8812',
          syncJobId: nil,
          category: 'mapping',
          reason: 'Brevo answered upsertContact with 400 duplicate_parameter: Unable to create contact, SMS is already associated with another Contact',
          request: {
            operation: 'upsertContact',
            body: {
              ext_id: 'shopify:8812',
              email: 'ana@example.com',
              attributes: {
                'SMS' => '+14155552671'
              },
              updateEnabled: true
            }
          },
          response: {
            code: 'duplicate_parameter',
            message: 'Unable to create contact, SMS is already associated with another Contact'
          },
          status: 'open',
          occurrences: 3,
          lastSeenAt: '2026-11-24T08:02:41.000Z',
          createdAt: '2026-11-23T10:15:00.000Z',
          updatedAt: '2026-11-24T08:02:41.000Z'
        }
      end
    }
  },
  pick_lists: {
    contact_attributes: lambda do |_connection|
      call('tajo_request', 'get', 'v1/contacts/attributes', nil, nil, nil)['data'].map { |item| [item['name'], item['name']] }
    end,
    event_names: lambda do |_connection|
      call('tajo_request', 'get', 'v1/events/names', nil, nil, nil)['data'].map { |item| [item['name'], item['name']] }
    end,
    lists: lambda do |_connection|
      call('tajo_request', 'get', 'v1/lists', { 'limit' => 200 }, nil, nil)['data'].map { |item| [item['name'], item['id']] }
    end,
    object_types: lambda do |_connection|
      call('tajo_request', 'get', 'v1/object-types', { 'limit' => 200 }, nil, nil)['data'].map { |item| [item['name'], item['name']] }
    end
  },
  methods: {
    tajo_request: lambda do |verb, path, query, body, idempotency_key|
      # Workato's post/put/patch/delete always send JSON, and the API refuses an empty JSON body: {} stands for none.
      request = case verb
                when 'get' then get(path, query || {})
                when 'post' then post(path, body || {})
                when 'put' then put(path, body || {})
                when 'patch' then patch(path, body || {})
                when 'delete' then delete(path, body || {})
                else error("Unsupported HTTP method #{verb}")
                end
      request = request.params(query) if verb != 'get' && query.present?
      request = request.headers('Idempotency-Key' => idempotency_key) if idempotency_key.present?
      # 429 and 5xx are left to Workato's retries (retry_on_response); the rest become readable errors.
      request.after_error_response(400, 401, 403, 404, 405, 409, 410, 413, 415, 422) do |code, response_body, _headers, message|
        error(call('problem_message', code, response_body, message))
      end
    end,
    problem_message: lambda do |code, body, message|
      problem = body.is_a?(Hash) ? body : (workato.parse_json(body.to_s) rescue nil)
      return "Tajo answered HTTP #{code}: #{message}" unless problem.is_a?(Hash)

      titles = {
        authentication: 'Authentication failed',
        permission: 'Permission denied',
        validation: 'Invalid request',
        rate_limited: 'Too many requests',
        vendor_unavailable: 'Vendor unavailable',
        mapping: 'Cannot map the record',
        conflict: 'Conflict',
        not_found: 'Not found',
        internal: 'Internal error'
      }
      category = problem['type'].to_s
      text = "#{titles[category.to_sym] || 'Tajo error'} (#{category.presence || 'error'}, HTTP #{code}): #{problem['detail']}"
      fixes = (problem['errors'] || []).map { |item| "#{item['field']}: #{item['reason']}" }
      text = "#{text} Fix: #{fixes.join('; ')}." if fixes.present?
      text = "#{text} Check the API key and its scopes in the Tajo connection." if %w[authentication permission].include?(category)
      text = "#{text} Request ID: #{problem['requestId']}." if problem['requestId'].present?
      text
    end,
    idempotency_key: lambda do |operation, input|
      input['idempotency_key'].presence || "workato-#{operation}-#{input.except('idempotency_key').to_json.encode_sha256.encode_hex}"
    end,
    merge_payload: lambda do |value, clear_empty|
      if value.is_a?(Hash)
        value.each_with_object({}) do |(key, item), payload|
          item = call('merge_payload', item, clear_empty)
          if item.nil? || item == ''
            payload[key] = nil if clear_empty
          elsif item != {}
            payload[key] = item
          end
        end
      elsif value.is_a?(Array)
        value.map { |item| call('merge_payload', item, clear_empty) }
      else
        value
      end
    end,
    split_batch: lambda do |results|
      indexed = results.map { |result| result.merge('list_index' => result['index']) }
      failed, successful = indexed.partition { |result| result['status'] == 'rejected' }
      {
        'successful_records' => successful,
        'failed_records' => failed,
        'success_count' => successful.size,
        'failed_count' => failed.size
      }
    end
  }
}
