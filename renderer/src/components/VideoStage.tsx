/**
 * A video in the viewer: it plays from the start of the segment that matched (a video without a
 * segment — browsing — from the beginning), and its timeline marks that segment, with a playhead
 * and a button that plays the segment again. The original comes through the media protocol with
 * Range requests (seeking); a format the page cannot play (AVI, H.263 3GP, HEVC without the
 * platform's decoder) shows the matching frame and says so.
 */
import { useRef, useState } from 'react';
import type { PhotoHit } from '../../../electron/shared/api.ts';
import { mediaUrl } from '../api/index.ts';
import { formatClock } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Icon } from './Icon.tsx';

interface Props {
  hit: PhotoHit;
  /** The moment shown now (seconds), for "more like this moment". */
  onMoment?(t: number): void;
}

export function VideoStage({ hit, onMoment }: Props) {
  const { t } = useI18n();
  const ref = useRef<HTMLVideoElement>(null);
  const seg = hit.segment;
  const start = seg?.start ?? 0;
  const [duration, setDuration] = useState(hit.durationS ?? seg?.end ?? 0);
  const [time, setTime] = useState(start);
  const [failed, setFailed] = useState(false);
  const frame = mediaUrl(hit.id, 'frame', Math.round((seg?.bestTime ?? start) * 1000));
  const pct = (x: number) => `${duration > 0 ? Math.min(100, Math.max(0, (x / duration) * 100)) : 0}%`;

  const seek = (to: number, play = true) => {
    const v = ref.current;
    if (!v) return;
    v.currentTime = to;
    setTime(to);
    onMoment?.(to);
    if (play) void v.play().catch(() => undefined);
  };

  const range = seg ? { from: formatClock(seg.start), to: formatClock(seg.end) } : null;
  return (
    <div className="video-stage">
      {failed ? (
        <div className="video-fallback">
          <img src={frame} alt={hit.fileName} />
          <p role="status">
            {t('video.cannotPlay')}{' '}
            <a href={mediaUrl(hit.id, 'original')} download={hit.fileName}>
              {t('video.download')}
            </a>
          </p>
        </div>
      ) : (
        <video
          ref={ref}
          className="viewer-video"
          src={mediaUrl(hit.id, 'original')}
          poster={frame}
          controls
          playsInline
          preload="metadata"
          aria-label={hit.fileName}
          onLoadedMetadata={(e) => {
            const v = e.currentTarget;
            // No picture: this browser cannot decode the video track (HEVC where the platform has
            // no decoder) and would play the sound over black. Say so instead, with the frame.
            if (v.videoWidth === 0) return setFailed(true);
            if (Number.isFinite(v.duration) && v.duration > 0) setDuration(v.duration);
            // Where the match is: the person clicked a moment, not the video's first frame.
            v.currentTime = start;
            void v.play().catch(() => undefined);
          }}
          onTimeUpdate={(e) => {
            setTime(e.currentTarget.currentTime);
            onMoment?.(e.currentTarget.currentTime);
          }}
          onError={() => setFailed(true)}
        />
      )}
      <div className="video-timeline" role="group" aria-label={t('video.timeline')}>
        <div
          className="video-track"
          onClick={(e) => {
            if (failed || duration <= 0) return;
            const box = e.currentTarget.getBoundingClientRect();
            seek(((e.clientX - box.left) / box.width) * duration);
          }}
        >
          {seg && (
            <span
              className="video-segment"
              style={{ left: pct(seg.start), width: `calc(${pct(seg.end)} - ${pct(seg.start)})` }}
              title={t('video.segment', range!)}
              data-start={seg.start}
              data-end={seg.end}
            />
          )}
          {!failed && <span className="video-playhead" style={{ left: pct(time) }} />}
        </div>
        <span className="video-clock">
          {formatClock(time)} / {formatClock(duration)}
        </span>
        {seg && !failed && (
          <button type="button" className="button small" onClick={() => seek(seg.start)} aria-label={t('video.playSegment', range!)} title={t('video.playSegment', range!)}>
            <Icon name="play" size={14} />
            {range!.from}–{range!.to}
          </button>
        )}
      </div>
    </div>
  );
}
