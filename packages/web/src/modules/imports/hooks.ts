/**
 * Import jobs: queries, mutations and the live progress of a running job. The job's state lives on
 * the server, so a reload (or another tab) picks up where the wizard was.
 */
import { useEffect } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { useSession } from '../../app/session';
import type { ImportJob, ImportTarget, UpdateJob } from './types';

export const importKeys = {
  all: ['imports'] as const,
  targets: ['imports', 'targets'] as const,
  jobs: (target: string | null) => ['imports', 'jobs', target] as const,
  job: (id: string) => ['imports', 'job', id] as const,
  errors: (id: string, cursor: string | null) => ['imports', 'job', id, 'errors', cursor] as const,
  presets: (target: string) => ['imports', 'presets', target] as const,
};

export const isRunning = (job: Pick<ImportJob, 'status'>) => job.status === 'validating' || job.status === 'committing';

export function useImportTargets() {
  return useQuery({ queryKey: importKeys.targets, queryFn: async () => unwrap(await api.GET('/api/v1/imports/targets')), staleTime: 60_000 });
}

export function useImportJobs(target: ImportTarget | null) {
  return useQuery({
    queryKey: importKeys.jobs(target),
    queryFn: async () => unwrap(await api.GET('/api/v1/imports', { params: { query: { limit: 50, ...(target ? { target } : {}) } } })),
    placeholderData: keepPreviousData,
    // Keep the list's running jobs moving.
    refetchInterval: (q) => (q.state.data?.items.some(isRunning) ? 2000 : false),
  });
}

/** The job; polled every second while it runs and the event stream is not connected. */
export function useImportJob(id: string, poll: boolean) {
  return useQuery({
    queryKey: importKeys.job(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/imports/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (poll && q.state.data && isRunning(q.state.data) ? 1000 : false),
  });
}

export function useImportErrors(id: string, cursor: string | null, enabled: boolean) {
  return useQuery({
    queryKey: importKeys.errors(id, cursor),
    queryFn: async () => unwrap(await api.GET('/api/v1/imports/{id}/errors', { params: { path: { id }, query: { limit: 50, ...(cursor ? { cursor } : {}) } } })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function usePresets(target: ImportTarget | null) {
  return useQuery({
    queryKey: importKeys.presets(target ?? ''),
    queryFn: async () => unwrap(await api.GET('/api/v1/import-presets', { params: { query: { target: target ?? 'assets' } } })),
    enabled: target !== null,
  });
}

function setJob(queryClient: QueryClient, job: ImportJob): void {
  queryClient.setQueryData(importKeys.job(job.id), job);
  void queryClient.invalidateQueries({ queryKey: ['imports', 'jobs'] });
  void queryClient.invalidateQueries({ queryKey: ['imports', 'job', job.id, 'errors'] });
}

export interface UploadInput {
  target: ImportTarget;
  file: File;
  presetId?: string | null;
  options?: Record<string, unknown>;
}

/**
 * `POST /imports` as multipart/form-data. The typed client has no body for it (the route reads the
 * parts itself), so this is a plain fetch with the session cookie and CSRF token; errors become
 * ApiError like every other call.
 */
export function useUploadImport() {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (v: UploadInput): Promise<ImportJob> => {
      const form = new FormData();
      form.set('target', v.target);
      if (v.presetId) form.set('presetId', v.presetId);
      if (v.options && Object.keys(v.options).length) form.set('options', JSON.stringify(v.options));
      form.set('file', v.file, v.file.name);
      const response = await fetch(`${window.location.origin}/api/v1/imports`, {
        method: 'POST',
        body: form,
        credentials: 'same-origin',
        headers: { 'x-csrf-token': session.csrfToken, accept: 'application/json' },
      });
      const body = (await response.json().catch(() => undefined)) as unknown;
      return unwrap({ data: body as ImportJob, error: response.ok ? undefined : body, response });
    },
    onSuccess: (job) => setJob(queryClient, job),
  });
}

export function useUpdateImport(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: UpdateJob) => unwrap(await api.PATCH('/api/v1/imports/{id}', { params: { path: { id } }, body })),
    onSuccess: (job) => setJob(queryClient, job),
  });
}

export function useValidateImport(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/imports/{id}/validate', { params: { path: { id } } })),
    onSuccess: (job) => setJob(queryClient, job),
  });
}

export function useCommitImport(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (options: UpdateJob['options']) => unwrap(await api.POST('/api/v1/imports/{id}/commit', { params: { path: { id } }, body: options ? { options } : {} })),
    onSuccess: (job) => setJob(queryClient, job),
  });
}

export function useCancelImport(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/imports/{id}/cancel', { params: { path: { id } } })),
    onSuccess: (job) => setJob(queryClient, job),
  });
}

export function useDeleteImport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/imports/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['imports', 'jobs'] }),
  });
}

export function useSavePreset(target: ImportTarget) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (v: { name: string; fromJobId: string }) => unwrap(await api.POST('/api/v1/import-presets', { body: { target, name: v.name, fromJobId: v.fromJobId } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: importKeys.presets(target) }),
  });
}

/**
 * Follows a running job over its server-sent event stream (the session cookie goes along: same
 * origin). Reports through `onLive` whether the stream is connected; while it is not (it failed, or
 * the job is not running) the caller polls instead. On the final event the job, its errors and the
 * job list reload.
 */
export function useImportProgress(job: ImportJob | undefined, onLive: (live: boolean) => void): void {
  const queryClient = useQueryClient();
  const id = job?.id;
  const running = job ? isRunning(job) : false;
  // A new phase (validate → commit) opens a new stream.
  const phase = job?.phase ?? null;
  useEffect(() => {
    if (!id || !running || typeof EventSource === 'undefined') return;
    const source = new EventSource(`/api/v1/imports/${encodeURIComponent(id)}/progress`, { withCredentials: true });
    let finished = false;
    source.addEventListener('open', () => onLive(true));
    source.addEventListener('progress', ((ev: MessageEvent<string>) => {
      queryClient.setQueryData(importKeys.job(id), JSON.parse(ev.data) as ImportJob);
    }) as EventListener);
    source.addEventListener('done', ((ev: MessageEvent<string>) => {
      finished = true;
      source.close();
      onLive(false);
      setJob(queryClient, JSON.parse(ev.data) as ImportJob);
    }) as EventListener);
    source.addEventListener('error', () => {
      // The server ends the stream after \`done\`; anything else: poll instead.
      source.close();
      onLive(false);
      if (!finished) void queryClient.invalidateQueries({ queryKey: importKeys.job(id) });
    });
    return () => {
      source.close();
      onLive(false);
    };
  }, [id, running, phase, queryClient, onLive]);
}
