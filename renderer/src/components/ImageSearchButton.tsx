/**
 * "以图搜图": the keyboard's (and the mouse's) way to search by an image, beside dropping one on
 * the window. A file picker; the picked file goes through the same checks and upload as a drop
 * (useImageDrop.ts: bytes as base64 to similarToImage), so it works over IPC and in the web mode.
 */
import { useRef } from 'react';
import { useI18n } from '../lib/i18n.tsx';
import { Icon } from './Icon.tsx';
import { readImageFile, type DropFailure } from './useImageDrop.ts';

interface Props {
  onImage(name: string, dataBase64: string): void;
  onFailure(why: DropFailure): void;
  disabled?: boolean;
}

export function ImageSearchButton({ onImage, onFailure, disabled }: Props) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="button ghost image-search-button"
        onClick={() => input.current?.click()}
        disabled={disabled}
        aria-label={t('imageSearch.label')}
        title={t('imageSearch.label')}
      >
        <Icon name="image" size={17} />
        <span className="image-search-text">{t('imageSearch.button')}</span>
      </button>
      <input
        ref={input}
        type="file"
        accept="image/*,.heic,.heif,.avif"
        hidden
        tabIndex={-1}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          // Cleared, so picking the same file again searches again.
          e.currentTarget.value = '';
          if (file) readImageFile(file, onImage, onFailure);
        }}
      />
    </>
  );
}
