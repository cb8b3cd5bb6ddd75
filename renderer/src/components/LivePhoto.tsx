/**
 * A Live Photo or motion photo in the viewer: the photo with a 实况 (动态) button over it; pressing
 * it plays the clip that was taken with it (the .MOV beside the photo, or the MP4 inside it: media
 * `live`) once, muted, over the still, which comes back when the clip ends or the button is
 * pressed again. A clip this browser cannot decode (HEVC where the platform has no decoder)
 * leaves the still and says so.
 */
import { useEffect, useRef, useState } from 'react';
import { mediaUrl } from '../api/index.ts';
import { useI18n } from '../lib/i18n.tsx';
import '../live-photo.css';

interface Props {
  photoId: number;
  /** An iPhone's Live Photo (实况) or an Android motion photo (动态照片). */
  kind: 'live-photo' | 'motion-photo';
}

const WORDS = {
  'live-photo': { name: 'viewer.live', play: 'viewer.livePlay', stop: 'viewer.liveStop', playing: 'viewer.livePlaying', failed: 'viewer.liveCannotPlay' },
  'motion-photo': { name: 'viewer.motion', play: 'viewer.motionPlay', stop: 'viewer.motionStop', playing: 'viewer.motionPlaying', failed: 'viewer.motionCannotPlay' },
} as const;

export function LivePhoto({ photoId, kind }: Props) {
  const { t } = useI18n();
  const w = WORDS[kind];
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
          aria-label={t(w.playing)}
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
        aria-label={playing && !failed ? t(w.stop) : t(w.play)}
        title={playing && !failed ? t(w.stop) : t(w.play)}
        onClick={() => {
          // After a failure, a press tries again rather than "stopping" what never played.
          const active = playing && !failed;
          setFailed(false);
          setPlaying(!active);
        }}
      >
        <span className="live-ring" aria-hidden="true" />
        {t(w.name)}
      </button>
      {failed && (
        <p className="live-failed" role="status">
          {t(w.failed)}
        </p>
      )}
    </>
  );
}
