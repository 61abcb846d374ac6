import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success } from '../http/schemas.ts';
import { ZWorkspace, ZWorkspaceSettingsPatch } from './schemas.ts';
import type { AuthContext } from '../auth/service.ts';

const TAGS = ['Workspace'];

export const workspaceRoutes: FastifyPluginAsyncZod = async (app) => {
  const { workspaces, apiKeys } = app.services;

  const present = async (auth: AuthContext, workspace: Awaited<ReturnType<typeof workspaces.get>>) => {
    const key = await apiKeys.get(auth.workspaceId, auth.keyId);
    return {
      id: workspace.id,
      name: workspace.name,
      sourceName: workspace.sourceName,
      defaultPhoneRegion: workspace.defaultPhoneRegion,
      createdAt: workspace.createdAt.toISOString(),
      apiKey: { id: key.id, name: key.name, scopes: key.scopes },
    };
  };

  app.get('/workspace', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getWorkspace',
      'x-workato-connection-test': true,
      summary: 'Get the workspace of this API key',
      description: 'A harmless authenticated read: use it to test a connection and see which workspace and scopes a key has.',
      tags: TAGS,
      response: { 200: success(ZWorkspace, 'The workspace, its settings and the scopes of the key used.'), ...errorResponses() },
    },
    handler: async (request) => present(request.auth, await workspaces.get(request.auth.workspaceId)),
  });

  app.patch('/workspace', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'updateWorkspace',
      'x-workato-skip': "Workspace settings are an administrator's task (API or CLI), not a recipe step.",
      summary: 'Update workspace settings',
      description: 'Changes the default phone region and source name used to normalize records sent from now on.',
      tags: TAGS,
      body: ZWorkspaceSettingsPatch,
      response: { 200: success(ZWorkspace, 'The workspace with its new settings.'), ...errorResponses() },
    },
    handler: async (request) =>
      present(request.auth, await workspaces.updateSettings(request.auth.workspaceId, request.body)),
  });
};
