// Dedupe keys derived from the providers' own identifiers: the same delivery always maps to the same key.

export const dedupeKeys = {
  twilioStatus: (callSid: string, sequenceNumber: string) => `twilio-status:${callSid}:${sequenceNumber}`,
  twilioTranscription: (transcriptionSid: string, sequenceId: string) =>
    `twilio-transcription:${transcriptionSid}:${sequenceId}`,
  elevenlabs: (conversationId: string, type: string) => `elevenlabs:${conversationId}:${type}`,
  /** Events callrelay itself originates (e.g. the `queued` status at creation, a dial failure). */
  internal: (callId: string, what: string) => `callrelay:${callId}:${what}`,
} as const;
