# A small stand-in for the part of Workato's connector runtime that connector/connector.rb uses:
# the HTTP DSL (get/post/put/patch/delete with params, payload, headers, request_format_json,
# after_error_response), call, error, workato.parse_json, custom_auth's apply, base_uri, object
# definitions, and the ActiveSupport helpers Workato provides. It is NOT Workato's runtime; see the
# README for checking the connector with Workato's own SDK (`workato exec`).
#
# It runs in Ruby compiled to WebAssembly; requests go out through a JavaScript function
# (workatoHarnessHttp) and are awaited, so every call is a real HTTP request to the API.
require 'js'
require 'json'
require 'time'
require 'digest'
require 'uri'

class Object
  def blank?
    respond_to?(:empty?) ? !!empty? : !self
  end

  def present?
    !blank?
  end

  def presence
    self if present?
  end
end

class String
  def blank?
    strip.empty?
  end

  def encode_sha256
    Digest::SHA256.digest(self)
  end

  def encode_hex
    unpack1('H*')
  end

  def encode_url
    URI.encode_www_form_component(self).gsub('+', '%20')
  end

  def to_time
    Time.iso8601(self)
  end
end

class Integer
  def hour
    self * 3600
  end
  alias hours hour

  def ago
    Time.now.utc - self
  end
end

class Time
  def to_time
    self
  end
end

module WorkatoHarness
  # An error the connector raised with `error(...)`: what Workato shows in the job log.
  class ConnectorError < StandardError; end

  # An HTTP error no after_error_response took: Workato would retry it (429, 5xx) or fail the job.
  class RequestFailed < StandardError
    attr_reader :code, :body

    def initialize(code, body)
      @code = code
      @body = body
      super("#{code}: #{body}")
    end
  end

  class Request
    def initialize(context, verb, url)
      @context = context
      @verb = verb
      @url = url
      @params = nil
      @payload = nil
      @headers = {}
      @error_matches = []
      @error_block = nil
      @resolved = false
    end

    def params(params)
      @params = (@params || {}).merge(params) if params.present?
      self
    end

    def payload(payload = nil)
      @payload = payload
      self
    end

    def headers(headers)
      @headers = @headers.merge(headers)
      self
    end

    def request_format_json
      @headers['Content-Type'] = 'application/json'
      @form = false
      self
    end

    def request_format_www_form_urlencoded
      @headers['Content-Type'] = 'application/x-www-form-urlencoded'
      @form = true
      self
    end

    def after_error_response(*matches, &block)
      @error_matches = matches
      @error_block = block
      self
    end

    def [](key)
      response![key]
    end

    def method_missing(name, *args, &block)
      response!.public_send(name, *args, &block)
    end

    def respond_to_missing?(*)
      true
    end

    def response!
      return @response if @resolved

      answer = send_once
      # custom_auth's refresh_on: acquire new credentials once, then try again (Workato does the same).
      if @context.refresh?(answer['status'])
        @context.acquire!
        answer = send_once
      end
      code = answer['status']
      body = answer['body']
      if code >= 400
        matched = @error_matches.any? { |match| match.is_a?(Integer) ? match == code : match === body }
        raise RequestFailed.new(code, body) unless @error_block && matched

        @response = @context.instance_exec(code, body, answer['headers'], "#{code} #{answer['statusText']}", &@error_block)
      else
        @response = body.to_s.empty? ? {} : JSON.parse(body)
      end
      @resolved = true
      @response
    end

    private

    def send_once
      # custom_auth's apply runs in the request's context, as in Workato.
      apply = @context.authorization[:apply]
      instance_exec(@context.connection, &apply) if apply
      body = if @payload.nil? then nil
             elsif @form then URI.encode_www_form(@payload)
             else @payload.to_json
             end
      request = { method: @verb.upcase, url: url, headers: @headers, body: body }
      answer = JSON.parse(JS.global.call(:workatoHarnessHttp, request.to_json).await.to_s)
      @context.requests << request.merge(status: answer['status'])
      answer
    end

    def url
      uri = URI.join(@context.base_uri, @url)
      uri.query = URI.encode_www_form(@params.reject { |_key, value| value.nil? }) if @params.present?
      uri.to_s
    end
  end

  class WorkatoPackage
    def parse_json(source)
      JSON.parse(source)
    end
  end

  # What a connector lambda sees as `self`.
  class Context
    attr_reader :connector, :connection, :requests, :acquisitions

    def initialize(connector, connection)
      @connector = connector
      @connection = connection
      @requests = []
      @acquisitions = 0
    end

    def authorization
      @connector.dig(:connection, :authorization) || {}
    end

    def refresh?(status)
      !@acquiring && authorization[:acquire] && Array(authorization[:refresh_on]).include?(status)
    end

    # Runs acquire and keeps what it returns in the connection, as Workato does.
    def acquire!
      @acquiring = true
      acquired = run(authorization[:acquire], @connection)
      @connection = @connection.merge(acquired.transform_keys(&:to_s))
      @acquisitions += 1
    ensure
      @acquiring = false
    end

    def base_uri
      instance_exec(@connection, &@connector[:connection][:base_uri])
    end

    # As the SDK's DSL: get takes query parameters; the others a payload, always sent as JSON.
    def get(url, params = {})
      Request.new(self, 'get', url).params(params)
    end

    %w[post put patch delete].each do |verb|
      define_method(verb) { |url, payload = nil| Request.new(self, verb, url).payload(payload).request_format_json }
    end

    def call(name, *args)
      method = @connector[:methods][name.to_sym] or raise ArgumentError, "no method #{name}"
      resolve(instance_exec(*args, &method))
    end

    def error(message)
      raise ConnectorError, message
    end

    def workato
      WorkatoPackage.new
    end

    def object_definitions
      ObjectDefinitions.new(self)
    end

    # A lazy request used as a result is executed, as Workato does at the end of a block.
    def resolve(value)
      value.is_a?(Request) ? value.response! : value
    end

    def run(lambda_value, *args)
      resolve(instance_exec(*args, &lambda_value))
    end
  end

  class ObjectDefinitions
    def initialize(context)
      @context = context
    end

    def [](name)
      definition = @context.connector[:object_definitions][name.to_sym] or raise ArgumentError, "no object definition #{name}"
      @context.run(definition[:fields], @context.connection, {}, self)
    end
  end

  # Runs one connector entry point; answers JSON: { ok: true, value, requests } or { ok: false, error, class }.
  def self.run(connector, command)
    connection = command['connection']
    context = Context.new(connector, connection)
    value = dispatch(connector, context, command)
    JSON.generate(ok: true, value: value, requests: context.requests, connection: context.connection, acquisitions: context.acquisitions)
  rescue ConnectorError, RequestFailed, ArgumentError, NoMethodError, KeyError, TypeError => e
    JSON.generate(ok: false, error: e.message, class: e.class.name.split('::').last, requests: context ? context.requests : [])
  end

  ISO_TIME = /\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\z/.freeze

  def self.parse_times(value)
    case value
    when Hash then value.transform_values { |item| parse_times(item) }
    when Array then value.map { |item| parse_times(item) }
    when ISO_TIME then Time.iso8601(value).localtime
    else value
    end
  end

  def self.dispatch(connector, context, command)
    key = command['key']&.to_sym
    args = command['args'] || []
    definitions = context.object_definitions
    case command['kind']
    when 'test' then context.run(connector[:test], context.connection)
    when 'execute'
      action = connector[:actions].fetch(key)
      context.run(action[:execute], context.connection, args[0], [], [])
    when 'input_fields' then context.run(connector[:actions].fetch(key)[:input_fields], definitions, context.connection, {})
    when 'output_fields'
      entry = connector[:actions][key] || connector[:triggers].fetch(key)
      context.run(entry[:output_fields], definitions, context.connection, {})
    when 'sample_output'
      entry = connector[:actions][key] || connector[:triggers].fetch(key)
      context.run(entry[:sample_output], context.connection, {})
    when 'trigger_input_fields' then context.run(connector[:triggers].fetch(key)[:input_fields], definitions, context.connection, {})
    # Workato stores the closure as JSON and reads it back with its times parsed (parse_json_times).
    when 'poll' then context.run(connector[:triggers].fetch(key)[:poll], context.connection, args[0], parse_times(args[1]))
    when 'dedup' then context.run(connector[:triggers].fetch(key)[:dedup], args[0])
    when 'webhook_subscribe'
      context.run(connector[:triggers].fetch(key)[:webhook_subscribe], args[0], context.connection, args[1] || {}, args[2])
    when 'webhook_unsubscribe' then context.run(connector[:triggers].fetch(key)[:webhook_unsubscribe], args[0])
    when 'webhook_notification'
      context.run(connector[:triggers].fetch(key)[:webhook_notification], args[0] || {}, args[1], [], [], args[2] || {}, {})
    when 'pick_list' then context.run(connector[:pick_lists].fetch(key), context.connection)
    else raise ArgumentError, "unknown command #{command['kind']}"
    end
  end
end
