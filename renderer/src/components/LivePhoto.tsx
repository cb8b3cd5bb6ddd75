/**
 * A Live Photo in the viewer: the photo with a 实况 button over it; pressing it plays the clip
 * that was taken with it (the .MOV beside the photo, media `live`) once, muted, over the still,
 * which comes back when the clip ends or the button is pressed again. A clip this browser cannot
 * decode (HEVC where the platform has no decoder) leaves the still and says so.
 */
import { useEffect, useRef, useState } from 'react';
import { mediaUrl } from '../api/index.ts';
import { useI18n } from '../lib/i18n.tsx';
import '../live-photo.css';

interface Props {
  photoId: number;
}

export function LivePhoto({ photoId }: Props) {
  const { t } = useI18n();
  const [playing, setPlaying] = useState(false);
  const [failed, setFailed] = useState(false);
  const videoRef = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    setPlaying(false);
    setFailed(false);
  }, [photoId]);
  useEffect(() => {
    const v = videoRef.current;
    if (!v || !playing) return;
    v.currentTime = 0;
    // Muted and started by the person's press: no autoplay policy stands in the way.
    v.play().catch(() => undefined);
  }, [playing]);

  return (
    <>
      {playing && !failed && (
        <video
          key={photoId}
          ref={videoRef}
          className="viewer-live"
          src={mediaUrl(photoId, 'live')}
          muted
          playsInline
          preload="auto"
          aria-label={t('viewer.livePlaying')}
          // No picture: the clip's video track cannot be decoded here (HEVC without a platform decoder).
          onLoadedMetadata={(e) => e.currentTarget.videoWidth === 0 && setFailed(true)}
          onEnded={() => setPlaying(false)}
          onError={() => setFailed(true)}
        />
      )}
      <button
        type="button"
        className={`live-badge${playing && !failed ? ' is-playing' : ''}`}
        aria-pressed={playing && !failed}
        aria-label={playing && !failed ? t('viewer.liveStop') : t('viewer.livePlay')}
        title={playing && !failed ? t('viewer.liveStop') : t('viewer.livePlay')}
        onClick={() => {
          // After a failure, a press tries again rather than "stopping" what never played.
          const active = playing && !failed;
          setFailed(false);
          setPlaying(!active);
        }}
      >
        <span className="live-ring" aria-hidden="true" />
        {t('viewer.live')}
      </button>
      {failed && (
        <p className="live-failed" role="status">
          {t('viewer.liveCannotPlay')}
        </p>
      )}
    </>
  );
}
